/**
 * Where the server helpers keep the little state they need across requests: the status answers' reuse
 * window, rate-limit counters, webhook deliveries already seen (and, later, handoff links). Status tokens
 * are signed, not stored.
 *
 * One interface, {@link FlowStore}, so that several instances behind a load balancer can share one store
 * and behave as one. {@link createMemoryStore} is the default (one process); `createUnstorageStore` puts
 * it in anything `unstorage` drives, Redis included.
 *
 * @module
 */

/**
 * A small key-value store of strings with expiry. Keys are namespaced by the caller (`bf:rate:...`).
 * `add` and `increment` must be atomic across every instance that shares the store: they decide "first
 * delivery" and "over the limit".
 */
export interface FlowStore {
  /** The value, or `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Sets the value for `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Sets the value only when the key is absent (or expired).
   *
   * @returns `true` when this call set it, `false` when the key was there already.
   */
  add(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Adds one to a counter that lives `ttlMs` from its first increment (a fixed window).
   *
   * @returns the count after this increment.
   */
  increment(key: string, ttlMs: number): Promise<number>;
  /** Removes the key. */
  delete(key: string): Promise<void>;
}

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Most keys kept; past that the oldest are dropped first. Default 100000. */
  maxEntries?: number;
  /** The clock, for tests; default `Date.now`. */
  now?: () => number;
}

interface Entry {
  value: string;
  expires: number;
}

/**
 * A {@link FlowStore} in this process's memory: the default. No timers: expired keys are dropped when
 * read, and the oldest are dropped once `maxEntries` is reached, so memory stays bounded whatever a
 * client sends.
 *
 * @returns the store.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): FlowStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isInteger(maxEntries) || maxEntries <= 0) throw new TypeError('createMemoryStore: maxEntries must be a positive integer');
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order; a key that is set again is moved to the end.
  const entries = new Map<string, Entry>();

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expires <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const put = (key: string, value: string, ttlMs: number): void => {
    entries.delete(key);
    entries.set(key, { value, expires: now() + ttlMs });
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
    }
  };

  return {
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlMs) {
      put(key, value, ttlMs);
    },
    async add(key, value, ttlMs) {
      if (live(key)) return false;
      put(key, value, ttlMs);
      return true;
    },
    async increment(key, ttlMs) {
      const entry = live(key);
      if (!entry) {
        put(key, '1', ttlMs);
        return 1;
      }
      const count = Number(entry.value) + 1;
      entry.value = String(count); // the window keeps its first expiry
      return count;
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
