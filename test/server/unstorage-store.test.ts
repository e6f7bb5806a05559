// The store adapter against a real Redis: redis-server started on a free loopback port for this file and
// stopped after it (see redis-server.ts: skipped without one, except under CI=true).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createStorage } from 'unstorage';
import type { Storage } from 'unstorage';
import redisDriver from 'unstorage/drivers/redis';
import { createSessionHandler, createStatusHandler, createUnstorageStore, createWebhookHandler } from '../../src/server/index.js';
import type { FlowStore, WebhookDelivery } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, startFakeVendor, tokenHeader, until } from './fake-vendor.js';
import type { FakeVendor } from './fake-vendor.js';
import { requireRedisOnCi, skipWithoutRedis, startRedis } from './redis-server.js';
import type { RedisServer } from './redis-server.js';

requireRedisOnCi();

describe('createUnstorageStore on a real Redis', { skip: skipWithoutRedis }, () => {
  let redis: RedisServer;
  let vendor: FakeVendor;
  const storages: Storage[] = [];

  /** One instance's view of the shared Redis: its own connection, as another server would have. */
  const instance = (base = 'app'): { storage: Storage; store: FlowStore } => {
    const storage = createStorage({ driver: redisDriver({ url: redis.url, base }) });
    storages.push(storage);
    return { storage, store: createUnstorageStore(storage) };
  };

  before(async () => {
    redis = await startRedis();
    vendor = await startFakeVendor();
  });
  after(async () => {
    for (const storage of storages) await storage.dispose();
    await vendor?.close();
    await redis?.stop();
  });

  it('gets, sets, adds, increments and deletes, with expiry, in the keys the driver itself uses', async () => {
    const { storage, store } = instance();
    const key = `bf:test:${randomUUID()}`;
    assert.equal(await store.get(key), undefined);
    await store.set(key, 'one', 60_000);
    assert.equal(await store.get(key), 'one');
    assert.equal(await storage.getItem(key), 'one', 'the same key through unstorage');
    assert.equal(await store.add(key, 'two', 60_000), false);
    assert.equal(await store.get(key), 'one');
    await store.delete(key);
    assert.equal(await store.add(key, 'three', 60_000), true);
    assert.equal(await store.get(key), 'three');

    const counter = `bf:count:${randomUUID()}`;
    assert.equal(await store.increment(counter, 60_000), 1);
    assert.equal(await store.increment(counter, 60_000), 2);
    const client = (storage.getMount(counter).driver.getInstance as () => { pttl(key: string): Promise<number> })();
    const ttl = await client.pttl(`app:${counter}`);
    assert.ok(ttl > 0 && ttl <= 60_000, `the counter expires with its window (${ttl} ms)`);

    const brief = `bf:brief:${randomUUID()}`;
    await store.set(brief, 'x', 30);
    await until(async () => (await store.get(brief)) === undefined);
    assert.equal(await store.add(brief, 'y', 60_000), true, 'an expired key can be added again');
  });

  it('adds atomically: 50 concurrent adds from two instances, exactly one wins; 50 increments count 1 to 50', async () => {
    const stores = [instance().store, instance().store];
    const key = `bf:once:${randomUUID()}`;
    const wins = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 2]!.add(key, String(i), 60_000)));
    assert.equal(wins.filter(Boolean).length, 1);
    const counter = `bf:many:${randomUUID()}`;
    const counts = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 2]!.increment(counter, 60_000)));
    assert.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('has the verdict ledger\'s operations, atomic across instances: compare-and-set and claims', async () => {
    const stores = [instance().store, instance().store];
    const key = `bf:ledger:test:${randomUUID()}`;
    const created = await Promise.all(stores.map((store, i) => store.compareAndSet!(key, undefined, `first-${i}`, 60_000)));
    assert.equal(created.filter(Boolean).length, 1, 'one instance created the record');
    const current = (await stores[0]!.get(key))!;
    const moved = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.compareAndSet!(key, current, `next-${i}`, 60_000)));
    assert.equal(moved.filter(Boolean).length, 1, 'of 20 concurrent updates from one state, one applied');

    const set = `bf:ledger:due:${randomUUID()}`;
    for (let i = 0; i < 30; i++) await stores[0]!.schedule!(set, `s${i}`, 1_000 + i);
    await stores[1]!.schedule!(set, 'absent', 0, true);
    await stores[1]!.schedule!(set, 's29', 0, true);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.claimDue!(set, 2_000, 10_000, 5)));
    const claimed = claims.flat();
    assert.equal(claimed.length, 30, 'every due member claimed');
    assert.equal(new Set(claimed).size, 30, 'and each by one claimer only');
    assert.equal(claimed.includes('absent'), false, 'onlyIfPresent left an absent member out');
    assert.deepEqual(await stores[0]!.claimDue!(set, 9_999, 20_000, 100), [], 'claimed members are due again at `until`');
    await stores[1]!.unschedule!(set, 's0');
    assert.equal((await stores[0]!.claimDue!(set, 10_000, 20_000, 100)).length, 29);
  });

  it('gives two session handlers sharing it one rate limit', async () => {
    vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LD'] } });
    const client = `client-${randomUUID()}`;
    const rateLimit = { limit: 3, windowMs: 60_000, key: () => client };
    const handlers = [instance(), instance()].map(({ store }) =>
      createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger(), store, rateLimit }),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await handlers[i % 2]!(
        new Request('https://shop.example/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }),
      );
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429]);
  });

  it('gives two status handlers sharing it one reuse window', async () => {
    vendor.requests.length = 0;
    vendor.behave({ json: { status: 'FINISHED', flow_session_result: true } });
    const [first, second] = [instance(), instance()].map(({ store }) =>
      createStatusHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger(), store, reuseMs: 60_000 }),
    );
    const sessionId = randomUUID();
    const request = async () => new Request(`https://shop.example/status?session_id=${sessionId}`, { headers: await tokenHeader(sessionId) });
    const a = await (await first!(await request())).text();
    const b = await (await second!(await request())).text();
    assert.equal(vendor.requests.length, 1, 'the second instance reused the first one\'s answer');
    assert.equal(b, a);
  });

  it('gives two webhook handlers sharing it one delivery of the same event, sequential and concurrent', async () => {
    const pathToken = 'webhook-path-token-' + 'R7v3'.repeat(6);
    const delivered: WebhookDelivery[] = [];
    const [a, b] = [instance(), instance()].map(({ store }) =>
      createWebhookHandler({
        apiKey: API_KEY,
        apiBaseUrl: vendor.url,
        pathToken,
        store,
        logger: capturingLogger(),
        onEvent: (delivery) => {
          delivered.push(delivery);
        },
      }),
    );
    const event = (id: string) => ({
      id,
      event: 'technology.start',
      session_id: SESSION_ID,
      created: Math.floor(Date.now() / 1000),
      success: true,
      flow_name: 'Flow',
      metadata: {},
      data: { technology_code: 'LD', technology_name: 'Liveness' },
    });
    const post = (body: unknown) =>
      new Request(`https://shop.example/webhooks/biometric/${pathToken}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = event(randomUUID());
    assert.equal((await a!(post(first))).status, 200);
    const again = await b!(post(first));
    assert.deepEqual(await again.json(), { ok: true, duplicate: true });
    const second = event(randomUUID());
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a! : b!)(post(second)).then((r) => r.status)));
    assert.equal(statuses.filter((status) => status === 200).length >= 1, true);
    assert.deepEqual(
      delivered.map((delivery) => delivery.event.id),
      [first.id, second.id],
      'each event reached onEvent once, whichever instance got it',
    );
  });
});

describe('createUnstorageStore on another driver (memory)', () => {
  it('refuses the ledger\'s operations on a driver whose claims would not be atomic', async () => {
    const store = createUnstorageStore(createStorage());
    await assert.rejects(store.compareAndSet!('bf:x', undefined, 'v', 1000), TypeError);
    await assert.rejects(store.claimDue!('bf:due', 0, 1, 1), /redis driver/);
  });

  it('keeps the same semantics, expiry included, without atomicity', async () => {
    const store = createUnstorageStore(createStorage(), { prefix: 'p:' });
    assert.equal(await store.add('bf:k', 'a', 60_000), true);
    assert.equal(await store.add('bf:k', 'b', 60_000), false);
    assert.equal(await store.get('bf:k'), 'a');
    assert.equal(await store.increment('bf:n', 60_000), 1);
    assert.equal(await store.increment('bf:n', 60_000), 2);
    await store.delete('bf:k');
    assert.equal(await store.get('bf:k'), undefined);
    await store.set('bf:brief', 'x', 20);
    await until(async () => (await store.get('bf:brief')) === undefined);
    assert.throws(() => createUnstorageStore({} as Storage), TypeError);
  });
});
