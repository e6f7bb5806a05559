// Run by `npm run bench -- --sweep` (a benchmark, not part of `npm test`): what one sweep of the verdict
// ledger costs with 10 000 open sessions, all due at once (the worst case: a cron that has not run for a
// while, or an instance back after an outage). The vendor is a loopback stand-in that answers `{}` (still
// open) after a fixed delay, so every session costs one call and stays open. Measured on the memory
// store and on a real redis-server; printed as `sweep:` lines.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStorage } from 'unstorage';
import redisDriver from 'unstorage/drivers/redis';
import { createMemoryStore, createUnstorageStore, createVerdictLedger } from '../src/server/index.js';
import type { FlowStore } from '../src/server/index.js';
import { API_KEY } from '../test/server/fake-vendor.js';
import { skipWithoutRedis, startRedis } from '../test/server/redis-server.js';
import type { RedisServer } from '../test/server/redis-server.js';

const SESSIONS = 10_000;
const gc = (globalThis as { gc?: () => void }).gc;

/** A vendor whose result endpoint answers `{}` after `latencyMs`; it counts the calls. */
async function slowVendor(latencyMs: number): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server = createServer((request, response) => {
    calls++;
    request.resume();
    setTimeout(() => response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'), latencyMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A store that counts its operations. */
function counting(store: FlowStore): { store: FlowStore; operations: () => number } {
  let operations = 0;
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        operations++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: counted, operations: () => operations };
}

const heapMb = () => {
  for (let pass = 0; pass < 3; pass++) gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/** Records SESSIONS open sessions made before one interval (so all are due), sweeps once, and prints what it cost. */
async function measure(name: string, store: FlowStore, latencyMs: number, concurrency: number, storeMemory?: () => Promise<number>): Promise<void> {
  const vendor = await slowVendor(latencyMs);
  const counted = counting(store);
  const ledger = createVerdictLedger({
    apiKey: API_KEY,
    apiBaseUrl: vendor.url,
    store: counted.store,
    maxConcurrentVendorCalls: concurrency,
    // Longer than any sweep here, so that the second sweep below finds nothing due again yet.
    sweepIntervalMs: 600_000,
    logger: { warn: () => undefined, error: () => undefined },
    onVerdict: () => assert.fail('nothing is decided: every session stays open'),
  });
  try {
    const heapBefore = heapMb();
    const storeBefore = (await storeMemory?.()) ?? 0;
    const createdAt = Date.now() - 700_000;
    for (let i = 0; i < SESSIONS; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, SESSIONS - i) }, () =>
          ledger.record({ sessionId: randomUUID(), reference: `user-${randomUUID()}`, createdAt, expiresAt: createdAt + 1_800_000 }),
        ),
      );
    }
    const heapRecorded = heapMb();
    const storeRecorded = (await storeMemory?.()) ?? 0;
    const operationsBefore = counted.operations();
    const started = performance.now();
    const report = await ledger.sweep();
    const seconds = (performance.now() - started) / 1000;
    const heapAfter = heapMb();
    assert.equal(report.vendorCalls, SESSIONS);
    assert.equal(vendor.calls(), SESSIONS);
    const operations = counted.operations() - operationsBefore;
    const held = storeMemory ? `Redis used_memory +${(storeRecorded - storeBefore).toFixed(1)} MB` : `heap +${(heapRecorded - heapBefore).toFixed(1)} MB`;
    console.log(
      `sweep: ${name}, vendor ${latencyMs} ms, ${concurrency} calls at once: ${SESSIONS} sessions, ${report.vendorCalls} vendor calls, ` +
        `${seconds.toFixed(1)} s (${(SESSIONS / seconds).toFixed(0)} sessions/s), ${operations} store operations ` +
        `(${(operations / SESSIONS).toFixed(1)} per session); records: ${held}; the sweep's own heap ${heapAfter - heapRecorded >= 0 ? '+' : ''}${(heapAfter - heapRecorded).toFixed(1)} MB`,
    );
    const again = await ledger.sweep();
    assert.equal(again.vendorCalls, 0, 'a second sweep right after asks nobody: each session is next due one interval later');
  } finally {
    await ledger.stop();
    await vendor.close();
  }
}

describe('one sweep over 10 000 open sessions', () => {
  it('on the memory store', { timeout: 300_000 }, async () => {
    await measure('memory store', createMemoryStore(), 0, 8);
    await measure('memory store', createMemoryStore(), 20, 8);
  });

  describe('on Redis', { skip: skipWithoutRedis }, () => {
    let redis: RedisServer;
    before(async () => {
      redis = await startRedis();
    });
    after(async () => {
      await redis?.stop();
    });
    it('on a real redis-server', { timeout: 300_000 }, async () => {
      const storage = createStorage({ driver: redisDriver({ url: redis.url, base: 'sweep' }) });
      const client = (storage.getMount('sweep').driver.getInstance as () => { info(section: string): Promise<string> })();
      const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]) / 2 ** 20;
      try {
        await measure('Redis', createUnstorageStore(storage), 20, 8, usedMemory);
      } finally {
        await storage.dispose();
      }
    });
  });
});
