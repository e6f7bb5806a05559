/** Request body limits: the API's (`maxBodyBytes`, 1 MiB by default) and the flow events' (16 KiB). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { PNG_BASE64, createSession, postJson } from './helpers.js';

const CREATE = '/api/v1/flows/session/create/';

/** A body of exactly `bytes` bytes that would be a valid create request if it were not so large. */
function createBody(apiKey: string, bytes: number): string {
  const json = JSON.stringify({ api_key: apiKey });
  return json.slice(0, -1) + ' '.repeat(bytes - json.length) + '}';
}

/** A request body sent in chunks, with no Content-Length (so the limit has to count what arrives). */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
      offset += 64 * 1024;
    },
  });
}

async function post(url: string, body: string | ReadableStream<Uint8Array>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    ...(typeof body === 'string' ? {} : { duplex: 'half' }),
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, text };
}

describe('body limits', { timeout: 30_000 }, () => {
  let emulator: Emulator;
  let key: string;

  before(async () => {
    emulator = await startEmulator();
    key = emulator.flows[0]!.apiKey;
  });
  after(() => emulator.close());

  it('accepts a create body of exactly 1 MiB, photo1 included', async () => {
    const created = await postJson(emulator.url + CREATE, { api_key: key, metadata: { face2face: { photo1: PNG_BASE64 } } });
    assert.equal(created.status, 200);
    const full = await post(emulator.url + CREATE, createBody(key, 1024 * 1024));
    assert.equal(full.status, 200, full.text);
  });

  it('answers 413 to a create body of 1 MiB and one byte, and creates no session', async () => {
    const before = emulator.sessions.list().length;
    const over = await post(emulator.url + CREATE, createBody(key, 1024 * 1024 + 1));
    assert.equal(over.status, 413);
    assert.match(JSON.parse(over.text).detail, /1048576 bytes/);
    assert.equal(emulator.sessions.list().length, before);
  });

  it('answers 413 to a body over the limit sent without a Content-Length', async () => {
    const over = await post(emulator.url + CREATE, streamed(createBody(key, 1024 * 1024 + 1)));
    assert.equal(over.status, 413);
    const under = await post(emulator.url + CREATE, streamed(createBody(key, 200 * 1024)));
    assert.equal(under.status, 200, under.text);
  });

  it('answers 413 to a declared Content-Length over the limit before the body comes, and closes the connection', { timeout: 5_000 }, async () => {
    const { port } = new URL(emulator.url);
    const socket = connect(Number(port), '127.0.0.1');
    try {
      socket.setEncoding('latin1');
      socket.write(
        `POST ${CREATE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{`,
      );
      // The rest of the body never comes: only an answer that does not wait for it ends this.
      let received = '';
      await new Promise<void>((resolve, reject) => {
        socket.on('data', (chunk: string) => (received += chunk));
        socket.once('end', resolve);
        socket.once('error', reject);
      });
      assert.match(received, /^HTTP\/1\.1 413 /);
      assert.match(received, /\r\nconnection: close\r\n/i);
    } finally {
      socket.destroy();
    }
  });

  it('answers 413 to a flow event over 16 KiB, and the session does not move', async () => {
    const id = (await createSession(emulator)).body.session_id;
    const event = JSON.stringify({ type: 'technology.start', technology_code: 'LD', attempt: 'a' });
    const padded = event.slice(0, -1) + ' '.repeat(16 * 1024 + 1 - event.length) + '}';
    assert.equal(Buffer.byteLength(padded), 16 * 1024 + 1);
    const over = await post(`${emulator.url}/flow/${id}/events`, padded);
    assert.equal(over.status, 413);
    assert.equal(emulator.sessions.get(id)!.phase, 'created');
    const fits = await post(`${emulator.url}/flow/${id}/events`, padded.slice(0, -2) + '}');
    assert.equal(fits.status, 200, fits.text);
  });

  it('takes its API limit from maxBodyBytes', async () => {
    const small = await startEmulator({ maxBodyBytes: 4096 });
    try {
      const smallKey = small.flows[0]!.apiKey;
      assert.equal((await post(small.url + CREATE, createBody(smallKey, 4096))).status, 200);
      assert.equal((await post(small.url + CREATE, createBody(smallKey, 4097))).status, 413);
      await assert.rejects(startEmulator({ maxBodyBytes: 0 }), RangeError);
    } finally {
      await small.close();
    }
  });
});
