/**
 * A {@link FlowStore} over `unstorage`, so that several instances share the reuse window, rate limits and
 * webhook dedupe through a store the host already runs (Redis, Cloudflare KV, a database...), without a
 * client written here. `unstorage` is an optional peer dependency: only its types are imported.
 *
 * @module
 */
import type { Storage } from 'unstorage';
import type { LedgerStore } from './store.js';

/** Options of {@link createUnstorageStore}. */
export interface UnstorageStoreOptions {
  /** Put before every key (`myapp:` makes `myapp:bf:rate:...`); default none (the keys start with `bf:`). */
  prefix?: string;
}

/** The ioredis calls used on the atomic path. */
interface RedisClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', ttlMs: number, condition?: 'NX'): Promise<string | null>;
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  del(key: string): Promise<number>;
  zrem(key: string, member: string): Promise<number>;
}

/** Where a key lives: the Redis client and key of the redis driver, or the storage itself. */
type Target = { redis: RedisClient; key: string } | { redis: undefined; key: string };

// INCR and the expiry of a new window in one step: no other client can see the counter without its expiry.
const INCREMENT_SCRIPT = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";
// The ledger's record transitions: compare and set in one step. ARGV: expected present (1/0), expected, value, ttl.
const COMPARE_AND_SET_SCRIPT =
  "local current = redis.call('GET', KEYS[1]) " +
  "if (ARGV[1] == '0' and current == false) or (ARGV[1] == '1' and current == ARGV[2]) then " +
  "redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4]) return 1 end return 0";
// ARGV: due at, member, 'XX' to leave absent members out (else '').
const SCHEDULE_SCRIPT =
  "if ARGV[3] == 'XX' then return redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[2]) end return redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])";
// Due members, soonest first, each moved to ARGV[2] before any other client can claim it. ARGV: now, until, limit.
const CLAIM_DUE_SCRIPT =
  "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3]) " +
  "for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], member) end return due";

/** unstorage's key normalisation (`/` and `\` are `:`, no empty segments), applied before mounts are looked up. */
function normalizeKey(key: string): string {
  return key.replace(/[/\\]/g, ':').replace(/:+/g, ':').replace(/^:|:$/g, '');
}

function isRedisClient(value: unknown): value is RedisClient {
  const client = value as Partial<Record<keyof RedisClient, unknown>> | null | undefined;
  return (
    typeof client === 'object' &&
    client !== null &&
    typeof client.get === 'function' &&
    typeof client.set === 'function' &&
    typeof client.eval === 'function' &&
    typeof client.del === 'function' &&
    typeof client.zrem === 'function'
  );
}

/** A TTL as Redis takes it: whole milliseconds, at least 1. */
function wholeMs(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}

/** What the generic path keeps: the value and when it expires (drivers differ on TTLs; this one is checked). */
interface Kept {
  v: string;
  e: number;
}

function isKept(value: unknown): value is Kept {
  return typeof value === 'object' && value !== null && typeof (value as Kept).v === 'string' && typeof (value as Kept).e === 'number';
}

/**
 * A {@link FlowStore} in an `unstorage` `Storage`.
 *
 * - **Redis** (the `redis` driver, ioredis): `add` is `SET NX PX` and `increment` is `INCR` with `PEXPIRE`
 *   in one script, so both are atomic across every instance; `get`/`set`/`delete` use the same client.
 *   Keys are those the driver itself would use (its `base` included).
 *   The verdict ledger's operations are scripts too: `compareAndSet` (GET, compare, SET PX) and
 *   `claimDue` (ZRANGEBYSCORE then ZADD of each member) each run as one step; a schedule is a sorted set.
 * - **Any other driver**: `add` and `increment` are a read then a write, **not atomic**: two instances
 *   may both see a key absent, or lose an increment, in the same instant. Fine for one instance or for a
 *   reuse window; for rate limits and webhook dedupe across instances, use Redis (or give your own
 *   {@link FlowStore}). Expiry is stored with each value and checked on read; the driver is also given a
 *   `ttl` (in seconds, at least 60, what Cloudflare KV accepts) to clean up, where it supports one.
 *   The verdict ledger's operations are refused there (they reject with a `TypeError`): a ledger whose
 *   claims are not atomic could deliver a verdict twice. Use Redis, `createMemoryStore()` for one
 *   instance, or a {@link FlowStore} of your own.
 *
 * @returns the store.
 */
export function createUnstorageStore(storage: Storage, options: UnstorageStoreOptions = {}): LedgerStore {
  if (typeof storage?.getItem !== 'function' || typeof storage.getMount !== 'function') {
    throw new TypeError('createUnstorageStore: storage must be an unstorage Storage (createStorage())');
  }
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw new TypeError('createUnstorageStore: prefix must be a string');

  const target = (key: string): Target => {
    const full = normalizeKey(`${prefix}${key}`);
    const mount = storage.getMount(full);
    const driver = mount.driver as { name?: string; options?: { base?: unknown }; getInstance?: () => unknown };
    if (driver.name === 'redis' && typeof driver.getInstance === 'function') {
      const client = driver.getInstance();
      if (isRedisClient(client)) {
        const base = typeof driver.options?.base === 'string' ? normalizeKey(driver.options.base) : '';
        const relative = full.slice(mount.base.length);
        return { redis: client, key: base ? `${base}:${relative}` : relative };
      }
    }
    return { redis: undefined, key: full };
  };

  const read = async (key: string): Promise<Kept | undefined> => {
    const kept: unknown = await storage.getItem(key);
    if (!isKept(kept)) return undefined;
    if (kept.e <= Date.now()) {
      await storage.removeItem(key);
      return undefined;
    }
    return kept;
  };
  const write = (key: string, kept: Kept): Promise<void> =>
    storage.setItem(key, kept, { ttl: Math.max(60, Math.ceil((kept.e - Date.now()) / 1000)) });

  return {
    async get(key) {
      const where = target(key);
      if (where.redis) return (await where.redis.get(where.key)) ?? undefined;
      return (await read(where.key))?.v;
    },
    async set(key, value, ttlMs) {
      const where = target(key);
      if (where.redis) {
        await where.redis.set(where.key, value, 'PX', wholeMs(ttlMs));
        return;
      }
      await write(where.key, { v: value, e: Date.now() + ttlMs });
    },
    async add(key, value, ttlMs) {
      const where = target(key);
      if (where.redis) return (await where.redis.set(where.key, value, 'PX', wholeMs(ttlMs), 'NX')) === 'OK';
      if (await read(where.key)) return false;
      await write(where.key, { v: value, e: Date.now() + ttlMs });
      return true;
    },
    async increment(key, ttlMs) {
      const where = target(key);
      if (where.redis) return Number(await where.redis.eval(INCREMENT_SCRIPT, 1, where.key, wholeMs(ttlMs)));
      const kept = await read(where.key);
      const next: Kept = kept ? { v: String(Number(kept.v) + 1), e: kept.e } : { v: '1', e: Date.now() + ttlMs };
      await write(where.key, next);
      return Number(next.v);
    },
    async delete(key) {
      const where = target(key);
      if (where.redis) {
        await where.redis.del(where.key);
        return;
      }
      await storage.removeItem(where.key);
    },
    async compareAndSet(key, expected, value, ttlMs) {
      const redis = atomicTarget(key);
      const set = await redis.redis.eval(COMPARE_AND_SET_SCRIPT, 1, redis.key, expected === undefined ? '0' : '1', expected ?? '', value, wholeMs(ttlMs));
      return Number(set) === 1;
    },
    async schedule(set, member, dueAt, onlyIfPresent = false) {
      const redis = atomicTarget(set);
      await redis.redis.eval(SCHEDULE_SCRIPT, 1, redis.key, Math.round(dueAt), member, onlyIfPresent ? 'XX' : '');
    },
    async unschedule(set, member) {
      const redis = atomicTarget(set);
      await redis.redis.zrem(redis.key, member);
    },
    async claimDue(set, now, until, limit) {
      if (limit <= 0) return [];
      const redis = atomicTarget(set);
      const claimed = await redis.redis.eval(CLAIM_DUE_SCRIPT, 1, redis.key, Math.floor(now), Math.round(until), Math.floor(limit));
      return Array.isArray(claimed) ? claimed.map(String) : [];
    },
  };

  /** The Redis target of a ledger key; any other driver is refused (its claims would not be atomic). */
  function atomicTarget(key: string): { redis: RedisClient; key: string } {
    const where = target(key);
    if (!where.redis) {
      throw new TypeError(
        'createUnstorageStore: the verdict ledger needs the redis driver here (its claims must be atomic across instances); for one instance use createMemoryStore()',
      );
    }
    return where;
  }
}
