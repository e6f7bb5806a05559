import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../src/emulator/index.js';
import { parseWebhookEvent } from '../../src/server/index.js';
import { LD_F2F_EVENTS, createSession, startReceiver, walkSession } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('emulator webhooks', { timeout: 20_000 }, () => {
  it('posts the events of a session in order, with the documented envelope', async () => {
    const receiver = await startReceiver();
    const emulator = await startEmulator({ webhooks: [receiver.url] });
    try {
      const id = (await createSession(emulator, { face2face: { photo1: 'iVBORw0KGgo=' } })).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F']);
      await receiver.waitFor(6);
      const bodies = receiver.accepted.map((w) => w.body);
      assert.deepEqual(
        bodies.map((b) => [b.event, b.data.technology_code]),
        [
          ['flow.start', undefined],
          ['technology.start', 'LD'],
          ['technology.end', 'LD'],
          ['technology.start', 'F2F'],
          ['technology.end', 'F2F'],
          ['flow.end', undefined],
        ],
      );
      for (const body of bodies) {
        assert.match(body.id, UUID);
        assert.equal(body.session_id, id);
        assert.equal(body.flow_name, 'Флоу для всех');
        assert.equal(typeof body.created, 'number');
        assert.ok(Math.abs(body.created - Date.now() / 1000) < 60);
        assert.equal(body.success, true);
        assert.deepEqual(body.metadata, { face2face: { photo1: 'iVBORw0KGgo=' } });
      }
      assert.equal(new Set(bodies.map((b) => b.id)).size, 6);
      assert.deepEqual(bodies[0].data.technologies, ['LD', 'F2F']);
      assert.equal(bodies[1].data.technology_name, 'Liveness');
      assert.deepEqual(Object.keys(bodies[2].data.liveness_result).sort(), ['failure_reason', 'prediction', 'result']);
      assert.equal(bodies[4].data.face2face_result.result, true);
      const sessionResult = bodies[5].data.session_result;
      assert.equal(sessionResult.status, 'FINISHED');
      assert.equal(sessionResult.session_id, id);
      assert.equal(sessionResult.flow_session_result, true);
      assert.deepEqual(
        sessionResult.technologies.map((t: { code: string }) => t.code),
        ['LD', 'F2F'],
      );
      assert.match(receiver.accepted[0]!.headers['content-type'] ?? '', /application\/json/);
    } finally {
      await emulator.close();
      await receiver.close();
    }
  });

  it('reports a failed flow with success: false and the session_result of the guide (docs/vendor.md §8)', async () => {
    const receiver = await startReceiver();
    const emulator = await startEmulator({ webhooks: [receiver.url] });
    try {
      const id = (await createSession(emulator)).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F'], 'LD');
      await receiver.waitFor(4);
      const bodies = receiver.accepted.map((w) => w.body);
      assert.deepEqual(
        bodies.map((b) => [b.event, b.success]),
        [
          ['flow.start', true],
          ['technology.start', true],
          ['technology.end', false],
          ['flow.end', false],
        ],
      );
      const flowEnd = bodies[3];
      assert.deepEqual(flowEnd.data.session_result, {
        status: 'FAILED',
        session_id: id,
        technologies: bodies[3].data.session_result.technologies,
        liveness_result: { result: false, failure_reason: { type: 'OTHER', detail: 'technology_failed' }, prediction: 0.08 },
        flow_session_result: false,
      });
      assert.deepEqual(
        flowEnd.data.session_result.technologies.map((t: { code: string }) => t.code),
        ['LD', 'F2F'],
      );
      const parsed = parseWebhookEvent(flowEnd);
      assert.ok(parsed.success, 'the server helpers accept it');
    } finally {
      await emulator.close();
      await receiver.close();
    }
  });

  it('retries a failed delivery and keeps the order', async () => {
    const receiver = await startReceiver({ failFirst: true });
    const emulator = await startEmulator({ webhooks: [receiver.url], webhookRetry: { attempts: 3, baseDelayMs: 5 } });
    try {
      const id = (await createSession(emulator)).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F']);
      await receiver.waitFor(6);
      assert.deepEqual(
        receiver.accepted.map((w) => [w.body.event, w.attempt]),
        [
          ['flow.start', 2],
          ['technology.start', 2],
          ['technology.end', 2],
          ['technology.start', 2],
          ['technology.end', 2],
          ['flow.end', 2],
        ],
      );
    } finally {
      await emulator.close();
      await receiver.close();
    }
  });

  it('logs a 503 with Retry-After (a result that lags) as a retry asked for, not as a failure', async () => {
    const receiver = await startReceiver({ pendingFirst: true });
    const lines: string[] = [];
    const emulator = await startEmulator({
      webhooks: [receiver.url],
      webhookRetry: { attempts: 3, baseDelayMs: 5 },
      logger: { info: (line) => lines.push(`info ${line}`), warn: (line) => lines.push(`warn ${line}`) },
    });
    try {
      const id = (await createSession(emulator)).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F']);
      await receiver.waitFor(6);
      const retries = lines.filter((line) => line.includes('asked for a retry'));
      assert.equal(retries.length, 6);
      for (const line of retries) assert.match(line, /^info .*\(attempt 1\/3: HTTP 503 with Retry-After\)$/);
      assert.deepEqual(lines.filter((line) => line.startsWith('warn')), []);
    } finally {
      await emulator.close();
      await receiver.close();
    }
  });

  it('delivers to every configured URL', async () => {
    const first = await startReceiver();
    const second = await startReceiver();
    const emulator = await startEmulator({ webhooks: [first.url, second.url] });
    try {
      const id = (await createSession(emulator)).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F']);
      await Promise.all([first.waitFor(6), second.waitFor(6)]);
      assert.deepEqual(
        first.accepted.map((w) => w.body.id),
        second.accepted.map((w) => w.body.id),
      );
    } finally {
      await emulator.close();
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('gives a URL listed twice two queues: each gets every event, and one in backoff does not hold the other', async () => {
    const receiver = await startReceiver({ failRequests: 1 });
    const emulator = await startEmulator({
      webhooks: [receiver.url, receiver.url],
      webhookRetry: { attempts: 2, baseDelayMs: 60_000 },
    });
    try {
      const id = (await createSession(emulator)).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F']);
      // One queue's flow.start failed and waits a minute; the other queue delivers the whole session.
      await receiver.waitFor(6);
      assert.deepEqual(
        receiver.accepted.map((w) => w.body.event),
        LD_F2F_EVENTS,
      );
    } finally {
      await emulator.close();
      await receiver.close();
    }
  });

  it('keeps a webhook URL’s path token, query and user info out of its log lines', async () => {
    const token = 'sk_live_0123456789abcdefghijklmnopqrstuv';
    const lines: string[] = [];
    const record = (line: string) => lines.push(line);
    const emulator = await startEmulator({
      webhooks: [`http://user:pass@127.0.0.1:9/hooks/${token}?key=${token}`],
      webhookRetry: { attempts: 2, baseDelayMs: 1 },
      faults: { webhookLateRate: 1, webhookLateMs: 1 },
      logger: { info: record, warn: record, error: record },
    });
    try {
      const id = (await createSession(emulator)).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F']);
      await emulator.webhooksIdle();
    } finally {
      await emulator.close();
    }
    const failures = lines.filter((line) => line.includes('failed (attempt'));
    assert.equal(failures.length, 12, lines.join('\n'));
    assert.ok(lines.some((line) => line.startsWith('fault:')));
    for (const line of lines) {
      assert.ok(!line.includes(token) && !line.includes('pass'), line);
    }
    assert.match(failures[0]!, /to http:\/\/…@127\.0\.0\.1:9\/hooks\/…\?… failed/);
  });

  it('gives up after the bounded attempts and goes on with the next event', async () => {
    const receiver = await startReceiver();
    await receiver.close();
    const emulator = await startEmulator({ webhooks: [receiver.url], webhookRetry: { attempts: 2, baseDelayMs: 1 } });
    try {
      const id = (await createSession(emulator)).body.session_id;
      const end = await walkSession(emulator, id, ['LD', 'F2F']);
      assert.equal(end.status, 'FINISHED', 'the flow does not wait for webhooks');
      await emulator.webhooksIdle();
    } finally {
      await emulator.close();
    }
  });

  it('drops pending retries on close, so nothing outlives the emulator', async () => {
    const receiver = await startReceiver({ failFirst: true });
    const emulator = await startEmulator({ webhooks: [receiver.url], webhookRetry: { attempts: 5, baseDelayMs: 60_000 } });
    try {
      const id = (await createSession(emulator)).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F']);
      while (receiver.attempts.size === 0) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await emulator.close();
      await emulator.webhooksIdle();
      await receiver.close();
    }
    assert.equal(receiver.accepted.length, 0);
  });
});
