import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type Emulator, type EmulatorFaults } from '../../src/emulator/index.js';
import { resolveFaults, sessionFaults } from '../../src/emulator/faults.js';
import { LD_F2F_EVENTS, createSession, getJson, manualClock, resultUrl, startReceiver, walkSession } from './helpers.js';

/** The statuses of `count` result requests for one new session. */
async function resultStatuses(emulator: Emulator, count: number): Promise<number[]> {
  const id = (await createSession(emulator)).body.session_id;
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) statuses.push((await fetch(resultUrl(emulator, id))).status);
  return statuses;
}

/** What a receiver got from one walked session with these faults: `event×copies` in arrival order. */
async function webhookRun(faults: EmulatorFaults, fail?: string): Promise<string[]> {
  const receiver = await startReceiver();
  const emulator = await startEmulator({ webhooks: [receiver.url], faults });
  try {
    const id = (await createSession(emulator)).body.session_id;
    await walkSession(emulator, id, ['LD', 'F2F'], fail);
    await emulator.webhooksIdle();
    return receiver.accepted.map((w) => w.body.event as string);
  } finally {
    await emulator.close();
    await receiver.close();
  }
}

/** A seed whose first session's webhook fates (in order) start with `wanted`. */
function seedWhere(faults: EmulatorFaults, wanted: (fates: ReturnType<ReturnType<typeof sessionFaults>['nextWebhook']>[]) => boolean): number {
  for (let seed = 0; seed < 10_000; seed += 1) {
    const dice = sessionFaults(resolveFaults({ ...faults, seed }), 0);
    if (wanted(Array.from({ length: 6 }, () => dice.nextWebhook()))) return seed;
  }
  throw new Error('no such seed below 10000');
}

describe('emulator faults', { timeout: 30_000 }, () => {
  it('answers result requests with 500, 502 or 503 at the given rate, the proxy errors as nginx HTML', async () => {
    const emulator = await startEmulator({ faults: { resultErrorRate: 0.3, seed: 7 } });
    try {
      const statuses = await resultStatuses(emulator, 400);
      const errors = statuses.filter((status) => status !== 200);
      assert.ok(errors.length > 80 && errors.length < 160, `${errors.length} errors of 400 at a rate of 0.3`);
      assert.deepEqual([...new Set(errors)].sort(), [500, 502, 503]);
      const all = await startEmulator({ faults: { resultErrorRate: 1 } });
      try {
        const id = (await createSession(all)).body.session_id;
        for (let i = 0; i < 20; i += 1) {
          const response = await fetch(resultUrl(all, id));
          const text = await response.text();
          if (response.status === 500) assert.deepEqual(JSON.parse(text), { detail: 'A server error occurred.' });
          else assert.match(text, new RegExp(`<h1>${response.status} [^<]+</h1>[\\s\\S]*nginx`));
        }
      } finally {
        await all.close();
      }
    } finally {
      await emulator.close();
    }
  });

  it('gives the same faults for the same seed and other faults for another', async () => {
    const runs: number[][] = [];
    for (const seed of [42, 42, 43]) {
      const emulator = await startEmulator({ faults: { resultErrorRate: 0.5, resultTimeoutRate: 0.2, resultHangMs: 0, seed } });
      try {
        runs.push(await resultStatuses(emulator, 40));
      } finally {
        await emulator.close();
      }
    }
    assert.deepEqual(runs[0], runs[1]);
    assert.notDeepEqual(runs[0], runs[2]);
    assert.ok(runs[0]!.includes(504) && runs[0]!.includes(200), runs[0]!.join(' '));
  });

  it('gives the n-th session the same dice whatever other sessions do in between', async () => {
    const faults = { resultErrorRate: 0.5, seed: 3 };
    const quiet = await startEmulator({ faults });
    const busy = await startEmulator({ faults });
    try {
      await createSession(quiet);
      const expected = await resultStatuses(quiet, 30);
      const first = (await createSession(busy)).body.session_id;
      const second = (await createSession(busy)).body.session_id;
      // The first session's requests come between the second's: they use the first session's own dice.
      const statuses: number[] = [];
      for (let i = 0; i < 30; i += 1) {
        await fetch(resultUrl(busy, first));
        statuses.push((await fetch(resultUrl(busy, second))).status);
      }
      assert.deepEqual(statuses, expected);
    } finally {
      await Promise.all([quiet.close(), busy.close()]);
    }
  });

  it('hangs a result request past the client’s timeout, then answers 504; closing the emulator ends a hang', async () => {
    const emulator = await startEmulator({ faults: { resultTimeoutRate: 1, resultHangMs: 150 } });
    try {
      const id = (await createSession(emulator)).body.session_id;
      const started = performance.now();
      const hung = await getJson(resultUrl(emulator, id));
      assert.equal(hung.status, 504);
      assert.ok(performance.now() - started >= 140, 'answered before the hang');
    } finally {
      await emulator.close();
    }
    const long = await startEmulator({ faults: { resultTimeoutRate: 1, resultHangMs: 60_000 } });
    const id = (await createSession(long)).body.session_id;
    const pending = fetch(resultUrl(long, id)).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = performance.now();
    await long.close();
    assert.ok(performance.now() - closing < 5000, 'close waited for the hang');
    await pending;
  });

  it('finishes a chosen session after its expiry: its result is {} until then, and so waits its flow.end', async () => {
    const clock = manualClock();
    const emulator = await startEmulator({
      now: clock.now,
      sessionTtlMs: 60_000,
      faults: { finishAfterExpiryRate: 1, finishAfterExpiryMs: 5000 },
    });
    try {
      const id = (await createSession(emulator)).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F']);
      clock.advance(60_000 + 4999);
      assert.deepEqual((await getJson(resultUrl(emulator, id))).body, {});
      clock.advance(1);
      const result = (await getJson(resultUrl(emulator, id))).body;
      assert.equal(result.status, 'FINISHED');
      assert.equal(result.flow_session_result, true);
    } finally {
      await emulator.close();
    }

    const receiver = await startReceiver();
    const live = await startEmulator({
      webhooks: [receiver.url],
      sessionTtlMs: 300,
      faults: { finishAfterExpiryRate: 1, finishAfterExpiryMs: 100 },
    });
    try {
      const created = Date.now();
      const id = (await createSession(live)).body.session_id;
      await walkSession(live, id, ['LD', 'F2F']);
      await receiver.waitFor(6);
      const arrived = Date.now();
      assert.equal(receiver.accepted.at(-1)!.body.event, 'flow.end');
      assert.ok(arrived - created >= 390, `flow.end came ${arrived - created} ms after the session was created`);
      assert.equal((await getJson(resultUrl(live, id))).body.status, 'FINISHED');
    } finally {
      await live.close();
      await receiver.close();
    }
  });

  it('sends flow.end once the result is final, or, with the early flow.end fault, while the result is still {}', async () => {
    /** The result's body when the receiver got flow.end, and how long after the last event that was. */
    async function atFlowEnd(faults: EmulatorFaults): Promise<{ body: Record<string, unknown>; afterMs: number }> {
      const receiver = await startReceiver();
      const emulator = await startEmulator({ webhooks: [receiver.url], resultDelayMs: 800, faults });
      try {
        const id = (await createSession(emulator)).body.session_id;
        await walkSession(emulator, id, ['LD', 'F2F']);
        const ended = Date.now();
        await receiver.waitFor(6);
        const afterMs = Date.now() - ended;
        assert.equal(receiver.accepted.at(-1)!.body.event, 'flow.end');
        return { body: (await getJson(resultUrl(emulator, id))).body, afterMs };
      } finally {
        await emulator.close();
        await receiver.close();
      }
    }
    const normal = await atFlowEnd({});
    assert.equal(normal.body.status, 'FINISHED');
    assert.ok(normal.afterMs >= 750, `flow.end came ${normal.afterMs} ms after the end, before the result`);
    const early = await atFlowEnd({ earlyFlowEndRate: 1 });
    assert.deepEqual(early.body, {});
    assert.ok(early.afterMs < 700, `the early flow.end came ${early.afterMs} ms after the end`);
  });

  it('drops every webhook at a rate of 1, and nothing is left pending', async () => {
    assert.deepEqual(await webhookRun({ webhookDropRate: 1 }), []);
  });

  it('sends webhooks twice with the same id', async () => {
    const receiver = await startReceiver();
    const emulator = await startEmulator({ webhooks: [receiver.url], faults: { webhookDuplicateRate: 1 } });
    try {
      const id = (await createSession(emulator)).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F']);
      await receiver.waitFor(12);
      const ids = receiver.accepted.map((w) => w.body.id as string);
      assert.equal(new Set(ids).size, 6);
      for (let i = 0; i < 12; i += 2) assert.equal(ids[i], ids[i + 1]);
    } finally {
      await emulator.close();
      await receiver.close();
    }
  });

  it('lets the next event overtake a reordered webhook, and sends a reordered last one after webhookLateMs', async () => {
    // flow.start held back, technology.start not: technology.start arrives first.
    const seed = seedWhere({ webhookReorderRate: 0.5 }, ([first, second]) => first!.reorder && !second!.reorder);
    const events = await webhookRun({ webhookReorderRate: 0.5, seed, webhookLateMs: 100 });
    assert.deepEqual(events.slice(0, 2), ['technology.start', 'flow.start']);
    assert.deepEqual([...events].sort(), ['flow.end', 'flow.start', 'technology.end', 'technology.end', 'technology.start', 'technology.start']);

    const started = Date.now();
    assert.deepEqual(await webhookRun({ webhookReorderRate: 1, webhookLateMs: 100 }, 'LD'), [
      'flow.start',
      'technology.start',
      'technology.end',
      'flow.end',
    ]);
    assert.ok(Date.now() - started >= 100, 'a held webhook went before webhookLateMs');
  });

  it('sends a late webhook webhookLateMs late, the session’s later events behind it', async () => {
    const seed = seedWhere({ webhookLateRate: 0.5 }, ([first, ...rest]) => first!.late && rest.every((fate) => !fate.late));
    const receiver = await startReceiver();
    const emulator = await startEmulator({ webhooks: [receiver.url], faults: { webhookLateRate: 0.5, webhookLateMs: 300, seed } });
    try {
      const id = (await createSession(emulator)).body.session_id;
      const started = Date.now();
      await walkSession(emulator, id, ['LD', 'F2F']);
      await receiver.waitFor(1);
      assert.ok(Date.now() - started >= 290, 'the late webhook came early');
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

  it('repeats the same webhook faults for the same seed', async () => {
    const faults = { webhookDropRate: 0.3, webhookDuplicateRate: 0.3, webhookReorderRate: 0.3, webhookLateMs: 20 };
    const first = await webhookRun({ ...faults, seed: 5 });
    assert.deepEqual(await webhookRun({ ...faults, seed: 5 }), first);
    assert.notDeepEqual(await webhookRun({ ...faults, seed: 6 }), first);
  });

  for (const [faults, pattern] of [
    [{ resultErrorRate: 2 }, /resultErrorRate/],
    [{ webhookDropRate: -0.1 }, /webhookDropRate/],
    [{ seed: 1.5 }, /seed/],
    [{ webhookLateMs: Number.NaN }, /webhookLateMs/],
    [{ resultErorRate: 0.5 }, /resultErorRate/],
  ] as const) {
    it(`refuses faults ${JSON.stringify(faults)} with a TypeError`, async () => {
      await assert.rejects(startEmulator({ faults: faults as EmulatorFaults }), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, pattern);
        return true;
      });
    });
  }
});
