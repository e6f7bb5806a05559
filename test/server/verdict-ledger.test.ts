// The verdict ledger against a fake vendor, on the memory store and on a real redis-server. Two ledgers
// sharing one store are two instances of the host. Durations are a few hundred ms, so that expiry,
// backoff and leases happen within the test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createStorage } from 'unstorage';
import type { Storage } from 'unstorage';
import redisDriver from 'unstorage/drivers/redis';
import { createMemoryStore, createUnstorageStore, createVerdictLedger } from '../../src/server/index.js';
import type { FlowStore, Verdict, VerdictLedger, VerdictLedgerOptions } from '../../src/server/index.js';
import { API_KEY, capturingLogger, startFakeVendor, until } from './fake-vendor.js';
import type { FakeVendor, VendorBehaviour } from './fake-vendor.js';
import { requireRedisOnCi, skipWithoutRedis, startRedis } from './redis-server.js';
import type { RedisServer } from './redis-server.js';

requireRedisOnCi();

const PASSED = { json: { status: 'FINISHED', flow_session_result: true, flow_session_failure_reasons: [] } };
const FAILED = {
  json: {
    status: 'FAILED',
    flow_session_result: false,
    flow_session_failure_reasons: ['ED: Invalid IIN', 'Subject not found in MCDB'],
    face_photo: 'iVBORw0KGgo' + 'A'.repeat(64),
    iin: '900101300123',
  },
};
const PENDING = { json: {} };

/** A fake vendor whose result endpoint answers per session id (`{}` for any not set). */
async function resultVendor(): Promise<{ vendor: FakeVendor; results: Map<string, VendorBehaviour>; callsFor(id: string): number }> {
  const vendor = await startFakeVendor();
  const results = new Map<string, VendorBehaviour>();
  vendor.behave((request) => results.get(request.url.searchParams.get('session_id') ?? '') ?? PENDING);
  const callsFor = (id: string) => vendor.requests.filter((request) => request.url.searchParams.get('session_id') === id).length;
  return { vendor, results, callsFor };
}

interface Instance {
  ledger: VerdictLedger;
  verdicts: Verdict[];
  logger: ReturnType<typeof capturingLogger>;
}

const instances: Instance[] = [];

/** One host instance: a ledger on `store` whose onVerdict keeps what it takes (or does what `onVerdict` says). */
function instance(store: FlowStore, vendor: FakeVendor, options: Partial<VerdictLedgerOptions> = {}): Instance {
  const verdicts: Verdict[] = [];
  const logger = capturingLogger();
  const ledger = createVerdictLedger({
    apiKey: API_KEY,
    apiBaseUrl: vendor.url,
    store,
    sweepIntervalMs: 100,
    graceSeconds: 0.2,
    deliveryTimeoutMs: 300,
    logger,
    onVerdict: (verdict) => {
      verdicts.push(verdict);
    },
    ...options,
  });
  const made = { ledger, verdicts, logger };
  instances.push(made);
  return made;
}

/** Records a new session for `reference`, open for `ttlMs`. */
async function newSession(ledger: VerdictLedger, reference = 'user-1', ttlMs = 60_000): Promise<string> {
  const sessionId = randomUUID();
  await ledger.record({ sessionId, reference, expiresAt: Date.now() + ttlMs });
  return sessionId;
}

after(async () => {
  await Promise.all(instances.map(({ ledger }) => ledger.stop()));
});

/** The tests every store must pass; `pair()` gives two views of one shared store (two instances). */
function ledgerSuite(name: string, pair: () => [FlowStore, FlowStore], options: { skip?: string | false } = {}) {
  describe(`createVerdictLedger on ${name}`, { skip: options.skip ?? false }, () => {
    let fake: Awaited<ReturnType<typeof resultVendor>>;
    before(async () => {
      fake = await resultVendor();
    });
    after(async () => {
      await fake?.vendor.close();
    });

    it('delivers a verdict the sweep finds, once, with the reference it was recorded for', async () => {
      const [store] = pair();
      const { ledger, verdicts } = instance(store, fake.vendor, { sweepIntervalMs: 50 });
      const id = await newSession(ledger, 'alice');
      fake.results.set(id, PASSED);
      assert.deepEqual(await ledger.get(id), { reference: 'alice', state: 'open' });
      await until(async () => (await ledger.sweep()).claimed > 0);
      await until(() => verdicts.length === 1);
      assert.deepEqual(verdicts, [{ reference: 'alice', sessionId: id, outcome: 'passed', reasons: [], via: 'sweep', attempt: 1 }]);
      const record = await ledger.get(id);
      assert.equal(record?.state, 'delivered');
      assert.equal(record?.outcome, 'passed');
      assert.ok(record?.decidedAt instanceof Date);
      await new Promise((resolve) => setTimeout(resolve, 120));
      const calls = fake.callsFor(id);
      await ledger.sweep();
      assert.equal(fake.callsFor(id), calls, 'a delivered session is not asked about again');
      assert.equal(verdicts.length, 1);
    });

    it('delivers a failure with stable reason codes, and keeps no vendor text, photo or IIN', async () => {
      const [store] = pair();
      const { ledger, verdicts } = instance(store, fake.vendor);
      const id = await newSession(ledger, 'bob');
      await ledger.observe(id, { status: 'FAILED', result: FAILED.json }, 'status');
      await until(() => verdicts.length === 1);
      assert.deepEqual(verdicts[0], {
        reference: 'bob',
        sessionId: id,
        outcome: 'failed',
        reasons: [{ code: 'invalid-iin', technology: 'ED' }, { code: 'subject-not-found' }],
        via: 'status',
        attempt: 1,
      });
      const stored = (await store.get(`bf:ledger:s:${id}`))!;
      for (const secret of ['Invalid IIN', 'MCDB', 'iVBORw0KGgo', '900101300123']) {
        assert.equal(stored.includes(secret), false, `the store does not hold ${secret}`);
      }
      assert.deepEqual(Object.keys(JSON.parse(stored) as object).sort(), ['attempt', 'createdAt', 'decision', 'deliveredAt', 'expiresAt', 'reference']);
    });

    it("delivers the flow's own failure reasons (a technology's typed failure_reason) as the status summary codes them", async () => {
      const [store] = pair();
      const { ledger, verdicts } = instance(store, fake.vendor);
      const id = await newSession(ledger, 'lena');
      const result = {
        status: 'FAILED',
        flow_session_result: false,
        technologies: [{ code: 'LD' }],
        liveness_result: { result: false, failure_reason: { type: 'CALC_RESULT', detail: 'Closed eyes' } },
      };
      await ledger.observe(id, { status: 'FAILED', result }, 'webhook');
      await until(() => verdicts.length === 1);
      assert.deepEqual(verdicts[0]!.reasons, [{ code: 'eyes-closed', technology: 'LD' }]);
    });

    it('delivers once when two instances see the verdict at the same time, by status, webhook and sweep', async () => {
      const [storeA, storeB] = pair();
      const a = instance(storeA, fake.vendor, { sweepIntervalMs: 20 });
      const b = instance(storeB, fake.vendor, { sweepIntervalMs: 20 });
      const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => newSession(a.ledger, `ref-${i}`)));
      for (const id of ids) fake.results.set(id, PASSED);
      await new Promise((resolve) => setTimeout(resolve, 25));
      const seen = { status: 'FINISHED', result: PASSED.json } as const;
      await Promise.all([
        ...ids.map((id) => a.ledger.observe(id, seen, 'status')),
        ...ids.map((id) => b.ledger.observe(id, seen, 'webhook')),
        a.ledger.sweep(),
        b.ledger.sweep(),
      ]);
      await Promise.all([a.ledger.stop(), b.ledger.stop()]);
      const all = [...a.verdicts, ...b.verdicts];
      assert.equal(all.length, 10, 'one delivery per session across both instances');
      assert.deepEqual(new Set(all.map((verdict) => verdict.sessionId)), new Set(ids));
      for (const verdict of all) assert.equal(verdict.reference, `ref-${ids.indexOf(verdict.sessionId)}`, 'each with its own reference');
    });

    it('retries with backoff when onVerdict throws, counting attempts, until it takes the verdict', async () => {
      const [store] = pair();
      const attempts: { attempt: number; at: number }[] = [];
      const { ledger, logger } = instance(store, fake.vendor, {
        sweepIntervalMs: 60,
        onVerdict: ({ attempt }) => {
          attempts.push({ attempt, at: Date.now() });
          if (attempt < 3) throw new Error('the host database is down: secret detail');
        },
      });
      const id = await newSession(ledger);
      await ledger.observe(id, { status: 'FINISHED', result: PASSED.json }, 'status');
      await until(() => attempts.length === 1);
      await ledger.sweep();
      assert.equal(attempts.length, 1, 'no retry before the backoff ends');
      await until(async () => (await ledger.sweep(), attempts.length === 3), 5000);
      assert.deepEqual(attempts.map(({ attempt }) => attempt), [1, 2, 3]);
      assert.ok(attempts[1]!.at - attempts[0]!.at >= 60, 'first retry after one interval');
      assert.ok(attempts[2]!.at - attempts[1]!.at >= 120, 'the next after two');
      assert.equal((await ledger.get(id))?.state, 'delivered');
      await ledger.sweep();
      assert.equal(attempts.length, 3);
      assert.ok(logger.lines.some((line) => /attempt 1\) threw Error; it will be retried/.test(line)));
      assert.equal(logger.lines.some((line) => line.includes('secret detail')), false, 'the host\'s message is not logged');
    });

    it('retries an onVerdict that hangs past deliveryTimeoutMs', async () => {
      const [store] = pair();
      const attempts: number[] = [];
      const { ledger } = instance(store, fake.vendor, {
        sweepIntervalMs: 50,
        deliveryTimeoutMs: 100,
        onVerdict: ({ attempt }) => {
          attempts.push(attempt);
          return attempt === 1 ? new Promise<void>(() => undefined) : undefined;
        },
      });
      const id = await newSession(ledger);
      await ledger.observe(id, { status: 'FAILED', result: FAILED.json }, 'webhook');
      await until(async () => (await ledger.sweep(), attempts.length === 2), 5000);
      assert.deepEqual(attempts, [1, 2]);
      assert.equal((await ledger.get(id))?.state, 'delivered');
    });

    it('frees a delivery whose instance died mid-way after its lease, for another instance to deliver', async () => {
      const [storeA, storeB] = pair();
      let cutOff = false;
      // Instance A reaches the store until it has taken the lease, then never again: it died.
      const dying: FlowStore = new Proxy(storeA, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => (cutOff ? Promise.reject(new Error('instance A is gone')) : (value as (...a: unknown[]) => unknown).apply(target, args));
        },
      });
      const a = instance(dying, fake.vendor, {
        deliveryTimeoutMs: 150,
        onVerdict: () => {
          cutOff = true;
          return new Promise<void>(() => undefined);
        },
      });
      const b = instance(storeB, fake.vendor, { deliveryTimeoutMs: 150 });
      const id = await newSession(a.ledger, 'carol');
      await a.ledger.observe(id, { status: 'FINISHED', result: PASSED.json }, 'status');
      await until(() => cutOff);
      await b.ledger.sweep();
      assert.equal(b.verdicts.length, 0, 'not while the lease holds');
      await until(async () => (await b.ledger.sweep(), b.verdicts.length === 1), 5000);
      assert.deepEqual(b.verdicts[0], { reference: 'carol', sessionId: id, outcome: 'passed', reasons: [], via: 'status', attempt: 2 });
    });

    it('delivers expired after expiry plus grace, then a late real verdict once, as its correction', async () => {
      const [store] = pair();
      const { ledger, verdicts } = instance(store, fake.vendor, { sweepIntervalMs: 50, graceSeconds: 0.1 });
      const id = await newSession(ledger, 'dave', 200);
      await until(async () => (await ledger.sweep(), verdicts.length === 1), 5000);
      assert.deepEqual(verdicts[0], { reference: 'dave', sessionId: id, outcome: 'expired', reasons: [], via: 'sweep', attempt: 1 });
      assert.deepEqual((await ledger.get(id))?.outcome, 'expired');
      fake.results.set(id, PASSED);
      await until(async () => (await ledger.sweep(), verdicts.length === 2), 5000);
      assert.deepEqual(verdicts[1], { reference: 'dave', sessionId: id, outcome: 'passed', reasons: [], via: 'sweep', attempt: 1, corrects: 'expired' });
      await ledger.observe(id, { status: 'FINISHED', result: PASSED.json }, 'status');
      await ledger.sweep();
      await ledger.stop();
      assert.equal(verdicts.length, 2, 'a correction is delivered once');
      assert.equal((await ledger.get(id))?.outcome, 'passed');
    });

    it('still asks once at the end of the watch for a correction, however late the sweep comes', async () => {
      const [store] = pair();
      const { ledger, verdicts } = instance(store, fake.vendor, { sweepIntervalMs: 50, graceSeconds: 0 });
      const id = await newSession(ledger, 'dora', 150);
      await until(async () => (await ledger.sweep(), verdicts.length === 1), 5000);
      fake.results.set(id, FAILED);
      // Past the whole watch (as long again as the session's lifetime) before any further sweep.
      await new Promise((resolve) => setTimeout(resolve, 400));
      await ledger.sweep();
      await ledger.stop();
      assert.deepEqual(
        verdicts.map(({ outcome, corrects }) => ({ outcome, corrects })),
        [{ outcome: 'expired', corrects: undefined }, { outcome: 'failed', corrects: 'expired' }],
      );
      const calls = fake.callsFor(id);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await ledger.sweep();
      assert.equal(fake.callsFor(id), calls, 'and then no more');
    });

    it('looks once more for a correction when expired took longer to deliver than the whole watch', async () => {
      const [store] = pair();
      let id = '';
      const taken: Verdict[] = [];
      const { ledger } = instance(store, fake.vendor, {
        sweepIntervalMs: 50,
        graceSeconds: 0,
        onVerdict: (verdict) => {
          if (verdict.outcome === 'expired' && verdict.attempt < 4) throw new Error('the host database is down');
          // The real verdict turns up just as expired is finally taken.
          if (verdict.outcome === 'expired') fake.results.set(id, PASSED);
          taken.push(verdict);
        },
      });
      id = await newSession(ledger, 'eric', 100);
      await until(async () => (await ledger.sweep(), taken.length === 2), 5000);
      assert.deepEqual(
        taken.map(({ outcome, attempt, corrects }) => ({ outcome, attempt, corrects })),
        [
          { outcome: 'expired', attempt: 4, corrects: undefined },
          { outcome: 'passed', attempt: 1, corrects: 'expired' },
        ],
      );
    });

    it('keeps a correction that another instance decides while a sweep ends the watch, when that instance then dies', async () => {
      const [storeA, storeB] = pair();
      let id = '';
      let interfere: (() => Promise<void>) | undefined;
      // Instance A's sweep ends the watch (the vendor still says nothing) and takes the session out of
      // the schedule; just before, instance B sees the real verdict and starts delivering it.
      const sweeping: FlowStore = new Proxy(storeA, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (property !== 'unschedule' || typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            const run = interfere;
            if (args[1] === id && run) {
              interfere = undefined;
              await run();
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      let cutOff = false;
      const dying: FlowStore = new Proxy(storeB, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => (cutOff ? Promise.reject(new Error('instance B is gone')) : (value as (...a: unknown[]) => unknown).apply(target, args));
        },
      });
      const a = instance(sweeping, fake.vendor, { sweepIntervalMs: 50, graceSeconds: 0, deliveryTimeoutMs: 150 });
      const b = instance(dying, fake.vendor, {
        sweepIntervalMs: 50,
        graceSeconds: 0,
        deliveryTimeoutMs: 150,
        onVerdict: () => {
          cutOff = true;
          return new Promise<void>(() => undefined);
        },
      });
      id = await newSession(a.ledger, 'kim', 100);
      await until(async () => (await a.ledger.sweep(), a.verdicts.length === 1), 3000);
      assert.equal(a.verdicts[0]!.outcome, 'expired');
      // Past the whole watch; the next sweep's look is the last one.
      await new Promise((resolve) => setTimeout(resolve, 300));
      interfere = async () => {
        await b.ledger.observe(id, { status: 'FINISHED', result: PASSED.json }, 'status');
        await until(() => cutOff);
      };
      await a.ledger.sweep();
      assert.equal(interfere, undefined, 'the sweep ended the watch while B delivered');
      await until(async () => (await a.ledger.sweep(), a.verdicts.length === 2), 3000);
      assert.deepEqual(
        { outcome: a.verdicts[1]!.outcome, corrects: a.verdicts[1]!.corrects, attempt: a.verdicts[1]!.attempt },
        { outcome: 'passed', corrects: 'expired', attempt: 2 },
      );
    });

    it('delivers a correction from a polling browser after expired', async () => {
      const [store] = pair();
      const { ledger, verdicts } = instance(store, fake.vendor, { sweepIntervalMs: 50, graceSeconds: 0 });
      const id = await newSession(ledger, 'erin', 50);
      await until(async () => (await ledger.sweep(), verdicts.length === 1), 5000);
      await ledger.observe(id, { status: 'FAILED', result: FAILED.json }, 'status');
      await ledger.stop();
      assert.deepEqual(
        verdicts.map(({ outcome, via, corrects }) => ({ outcome, via, corrects })),
        [
          { outcome: 'expired', via: 'sweep', corrects: undefined },
          { outcome: 'failed', via: 'status', corrects: 'expired' },
        ],
      );
    });

    it('delivers a real verdict that comes while expired is being delivered right after it, as its correction', async () => {
      const [store] = pair();
      let release: () => void = () => undefined;
      const taken: Verdict[] = [];
      const { ledger } = instance(store, fake.vendor, {
        sweepIntervalMs: 50,
        graceSeconds: 0,
        deliveryTimeoutMs: 2000,
        onVerdict: async (verdict) => {
          if (verdict.outcome === 'expired') await new Promise<void>((resolve) => (release = resolve));
          taken.push(verdict);
        },
      });
      const id = await newSession(ledger, 'frank', 50);
      const sweeping = until(async () => (await ledger.sweep(), taken.length >= 1), 5000);
      await until(async () => (await ledger.get(id))?.state === 'decided');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await ledger.observe(id, { status: 'FINISHED', result: PASSED.json }, 'webhook');
      release();
      await sweeping;
      await until(() => taken.length === 2);
      await ledger.stop();
      assert.deepEqual(
        taken.map(({ outcome, via, corrects }) => ({ outcome, via, corrects })),
        [
          { outcome: 'expired', via: 'sweep', corrects: undefined },
          { outcome: 'passed', via: 'webhook', corrects: 'expired' },
        ],
      );
    });

    it('ignores a verdict for a session it never recorded', async () => {
      const [store] = pair();
      const { ledger, verdicts } = instance(store, fake.vendor);
      const stranger = randomUUID();
      await ledger.observe(stranger, { status: 'FINISHED', result: PASSED.json }, 'webhook');
      await ledger.expectEnd(stranger);
      await ledger.sweep();
      await ledger.stop();
      assert.equal(verdicts.length, 0);
      assert.equal(await ledger.get(stranger), undefined);
    });

    it('asks the vendor about each due session once per interval across instances sweeping at once', async () => {
      const [storeA, storeB] = pair();
      const a = instance(storeA, fake.vendor, { sweepIntervalMs: 1000 });
      const b = instance(storeB, fake.vendor, { sweepIntervalMs: 1000 });
      const ids = await Promise.all(Array.from({ length: 12 }, () => newSession(a.ledger)));
      await new Promise((resolve) => setTimeout(resolve, 1020));
      const reports = await Promise.all([a.ledger.sweep(), b.ledger.sweep(), a.ledger.sweep(), b.ledger.sweep()]);
      assert.equal(reports[0]!.claimed + reports[1]!.claimed, 12, 'the two instances shared the due sessions');
      for (const id of ids) assert.equal(fake.callsFor(id), 1, 'each asked once');
      await Promise.all([a.ledger.sweep(), b.ledger.sweep()]);
      for (const id of ids) assert.equal(fake.callsFor(id), 1, 'and not again within the interval');
    });

    it('leaves a session whose browser polls to the browser, and asks one interval after it went quiet', async () => {
      const [store] = pair();
      const { ledger, verdicts } = instance(store, fake.vendor, { sweepIntervalMs: 150 });
      const id = await newSession(ledger, 'gina');
      for (let poll = 0; poll < 4; poll++) {
        await ledger.observe(id, { status: 'PROGRESS', result: { status: 'PROGRESS' } }, 'status');
        await ledger.sweep();
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      assert.equal(fake.callsFor(id), 0, 'no vendor call while the browser polls');
      fake.results.set(id, PASSED);
      const quiet = Date.now();
      await until(async () => (await ledger.sweep(), verdicts.length === 1), 3000);
      assert.equal(fake.callsFor(id), 1);
      assert.ok(Date.now() - quiet < 1000);
    });

    it('backs off while a session stays open, then expires it', async () => {
      const [store] = pair();
      const { ledger, verdicts } = instance(store, fake.vendor, { sweepIntervalMs: 50, graceSeconds: 0.05 });
      const id = await newSession(ledger, 'hank', 1500);
      await until(async () => (await ledger.sweep(), verdicts.length === 1), 5000);
      assert.equal(verdicts[0]!.outcome, 'expired');
      const calls = fake.callsFor(id);
      // Every 50 ms would be 31 calls; backing off from creation it is about log(1.5 s / 50 ms) of them.
      assert.ok(calls >= 3 && calls <= 10, `${calls} vendor calls before expiry`);
    });

    it('keeps at most maxConcurrentVendorCalls calls running at once', async () => {
      const [store] = pair();
      let running = 0;
      let most = 0;
      const slowFetch: typeof fetch = async (input, init) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        try {
          return await fetch(input, init);
        } finally {
          running--;
        }
      };
      const { ledger } = instance(store, fake.vendor, { sweepIntervalMs: 30, maxConcurrentVendorCalls: 3, fetch: slowFetch });
      await Promise.all(Array.from({ length: 20 }, () => newSession(ledger)));
      await new Promise((resolve) => setTimeout(resolve, 40));
      const report = await ledger.sweep();
      assert.ok(report.vendorCalls >= 20, `${report.vendorCalls} calls`);
      assert.equal(most, 3);
    });

    it('keeps a session that another instance sweeps while it is being recorded', async () => {
      const [storeA, storeB] = pair();
      let slow = true;
      // Instance A's store takes long to write the new record, as a busy Redis does.
      const slowStore: FlowStore = new Proxy(storeA, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (property !== 'compareAndSet' || typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            if (slow) await new Promise((resolve) => setTimeout(resolve, 300));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const a = instance(slowStore, fake.vendor, { sweepIntervalMs: 50 });
      const b = instance(storeB, fake.vendor, { sweepIntervalMs: 50 });
      const sessionId = randomUUID();
      fake.results.set(sessionId, PASSED);
      const recording = a.ledger.record({ sessionId, reference: 'jane', expiresAt: Date.now() + 60_000, createdAt: Date.now() - 1000 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      await b.ledger.sweep();
      await recording;
      slow = false;
      await until(async () => (await b.ledger.sweep(), b.verdicts.length === 1), 3000);
      assert.equal(b.verdicts[0]!.reference, 'jane');
    });

    it('refuses a reference that is not a short string, and a session id recorded for another reference', async () => {
      const [store] = pair();
      const { ledger } = instance(store, fake.vendor);
      const sessionId = randomUUID();
      const expiresAt = Date.now() + 60_000;
      for (const reference of [undefined, 42, '', 'x'.repeat(129), 'line\nbreak']) {
        await assert.rejects(ledger.record({ sessionId, reference: reference as string, expiresAt }), TypeError);
      }
      await assert.rejects(ledger.record({ sessionId: 'not-a-uuid', reference: 'a', expiresAt }), TypeError);
      await ledger.record({ sessionId, reference: 'ivy', expiresAt });
      await ledger.record({ sessionId, reference: 'ivy', expiresAt });
      await assert.rejects(ledger.record({ sessionId, reference: 'mallory', expiresAt }), /another reference/);
      assert.equal((await ledger.get(sessionId))?.reference, 'ivy');
    });
  });
}

ledgerSuite('the memory store', () => {
  const store = createMemoryStore();
  return [store, store];
});

let redis: RedisServer | undefined;
const storages: Storage[] = [];
describe('on a real Redis', { skip: skipWithoutRedis }, () => {
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const storage of storages) await storage.dispose();
    await redis?.stop();
  });
  // Each instance its own connection, as another server would have; one key space per test.
  ledgerSuite('Redis (two connections)', () => {
    const base = `t${randomUUID().slice(0, 8)}`;
    const view = () => {
      const storage = createStorage({ driver: redisDriver({ url: redis!.url, base }) });
      storages.push(storage);
      return createUnstorageStore(storage);
    };
    return [view(), view()];
  });
});

describe('createVerdictLedger options', () => {
  it('throws a TypeError for options that are not what their types say', () => {
    const onVerdict = () => undefined;
    assert.throws(() => createVerdictLedger({ apiKey: API_KEY } as VerdictLedgerOptions), /onVerdict must be a function/);
    assert.throws(() => createVerdictLedger({ apiKey: API_KEY, onVerdict, sweepIntervalMs: 0 }), /sweepIntervalMs/);
    assert.throws(() => createVerdictLedger({ apiKey: API_KEY, onVerdict, maxConcurrentVendorCalls: 1.5 }), /maxConcurrentVendorCalls/);
    assert.throws(() => createVerdictLedger({ apiKey: API_KEY, onVerdict, graceSeconds: -1 }), /graceSeconds/);
    const { compareAndSet: _, ...withoutCas } = createMemoryStore();
    assert.throws(() => createVerdictLedger({ apiKey: API_KEY, onVerdict, store: withoutCas }), /compareAndSet/);
  });

  it('loads without a key, and its sweep says what is missing, logged once', async () => {
    const logger = capturingLogger();
    const ledger = createVerdictLedger({ apiKey: '', onVerdict: () => undefined, logger });
    await assert.rejects(ledger.sweep(), TypeError);
    await assert.rejects(ledger.sweep(), TypeError);
    assert.equal(logger.lines.filter((line) => line.includes('apiKey')).length, 1);
  });
});
