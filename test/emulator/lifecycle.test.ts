import { it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator } from '../../src/emulator/index.js';
import { createSession, startReceiver, walkSession } from './helpers.js';

const NETWORK_AND_TIMERS = new Set(['TCPServerWrap', 'TCPSocketWrap', 'Timeout']);

/** Handles that keep a process alive, ignoring the ones the test runner owns. */
function liveHandles(): string[] {
  return process.getActiveResourcesInfo().filter((name) => NETWORK_AND_TIMERS.has(name));
}

it('leaves no server, socket or timer behind after close(), with retries and a delayed answer pending', { timeout: 10_000 }, async () => {
  assert.deepEqual(liveHandles(), []);
  const receiver = await startReceiver({ failFirst: true });
  const emulator = await startEmulator({
    webhooks: [receiver.url],
    webhookRetry: { attempts: 5, baseDelayMs: 60_000 },
    latencyMs: 5,
  });
  const id = (await createSession(emulator)).body.session_id;
  await walkSession(emulator, id, ['LD', 'F2F']);
  const delayed = fetch(`${emulator.url}/api/v1/flows/session/create/`, { method: 'POST', body: '{}' }).catch(() => undefined);
  assert.ok(liveHandles().length > 0);

  await emulator.close();
  await receiver.close();
  await delayed;
  // Closed handles leave the list a few event-loop turns after their close callbacks.
  for (let waited = 0; liveHandles().length > 0 && waited < 2_000; waited += 20) await sleep(20);
  assert.deepEqual(liveHandles(), []);
});

it('can be closed twice', async () => {
  const emulator = await startEmulator();
  await emulator.close();
  await emulator.close();
});

it('refuses a webhook URL that is not http(s)', async () => {
  await assert.rejects(startEmulator({ webhooks: ['ftp://127.0.0.1/hook'] }), /webhooks: not an http\(s\) URL/);
  await assert.rejects(startEmulator({ flows: [{ name: 'x', technologies: ['ld'] }] }), TypeError);
});
