/**
 * Where the server helpers keep the little state they need across requests: the status answers' reuse
 * window, rate-limit counters, webhook deliveries already seen, handoff links, and the verdict ledger's
 * records and schedule. Status tokens are signed, not stored.
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
  /**
   * Sets `key` to `value` for `ttlMs` only when it holds exactly `expected` now (`undefined`: absent or
   * expired). The verdict ledger moves a session's record from state to state with it, so it must be
   * atomic across every instance. Optional: only `createVerdictLedger` needs it (with the three below).
   *
   * @returns `true` when this call set it.
   */
  compareAndSet?(key: string, expected: string | undefined, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Puts `member` in the schedule `set`, due at `dueAt` (ms since the epoch), or moves it there. With
   * `onlyIfPresent`, a member that is not in the set stays out.
   */
  schedule?(set: string, member: string, dueAt: number, onlyIfPresent?: boolean): Promise<void>;
  /** Takes `member` out of the schedule `set`. */
  unschedule?(set: string, member: string): Promise<void>;
  /**
   * Claims up to `limit` members of `set` due at or before `now`, soonest first, and moves each to
   * `until` in the same atomic step: of instances claiming at once, each member goes to one, and it is
   * due again at `until` if its claimer does nothing more (dies, say).
   *
   * @returns the claimed members.
   */
  claimDue?(set: string, now: number, until: number, limit: number): Promise<string[]>;
}

/** A {@link FlowStore} with the operations the verdict ledger needs. */
export type LedgerStore = FlowStore & Required<Pick<FlowStore, 'compareAndSet' | 'schedule' | 'unschedule' | 'claimDue'>>;

/**
 * Whether a store has what the verdict ledger needs.
 *
 * @returns `true` for a {@link LedgerStore}.
 */
export function isLedgerStore(store: FlowStore): store is LedgerStore {
  return (
    typeof store.compareAndSet === 'function' &&
    typeof store.schedule === 'function' &&
    typeof store.unschedule === 'function' &&
    typeof store.claimDue === 'function'
  );
}

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most keys kept; past that the oldest are dropped first. Default 100000. Records written by
   * `compareAndSet` (the verdict ledger's) and schedules are not counted and never dropped for room:
   * losing one would lose a verdict. They go when they expire.
   */
  maxEntries?: number;
  /** The clock, for tests; default `Date.now`. */
  now?: () => number;
}

interface Entry {
  value: string;
  expires: number;
}

/** How many `compareAndSet` writes pass between two purges of expired records. */
const RECORD_PURGE_EVERY = 1000;

/**
 * A {@link FlowStore} in this process's memory: the default. No timers: expired keys are dropped when
 * read, and the oldest are dropped once `maxEntries` is reached, so memory stays bounded whatever a
 * client sends. It has the verdict ledger's operations too; they are atomic because this process is the
 * only one that sees the store (so several instances cannot share it).
 *
 * @returns the store.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): LedgerStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isInteger(maxEntries) || maxEntries <= 0) throw new TypeError('createMemoryStore: maxEntries must be a positive integer');
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order; a key that is set again is moved to the end.
  const entries = new Map<string, Entry>();
  // The ledger's records: bounded by the sessions made and their retention, not by what clients send.
  const records = new Map<string, Entry>();
  const schedules = new Map<string, Map<string, number>>();
  let recordWrites = 0;

  const liveIn = (map: Map<string, Entry>, key: string): Entry | undefined => {
    const entry = map.get(key);
    if (entry && entry.expires <= now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  };
  const live = (key: string): Entry | undefined => liveIn(entries, key);
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
      return (live(key) ?? liveIn(records, key))?.value;
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
      records.delete(key);
    },
    async compareAndSet(key, expected, value, ttlMs) {
      if (liveIn(records, key)?.value !== expected) return false;
      records.set(key, { value, expires: now() + ttlMs });
      if (++recordWrites % RECORD_PURGE_EVERY === 0) {
        const at = now();
        for (const [name, entry] of records) if (entry.expires <= at) records.delete(name);
      }
      return true;
    },
    async schedule(set, member, dueAt, onlyIfPresent = false) {
      let members = schedules.get(set);
      if (onlyIfPresent && !members?.has(member)) return;
      if (!members) schedules.set(set, (members = new Map()));
      members.set(member, dueAt);
    },
    async unschedule(set, member) {
      schedules.get(set)?.delete(member);
    },
    async claimDue(set, at, until, limit) {
      const members = schedules.get(set);
      if (!members || limit <= 0) return [];
      const due: [string, number][] = [];
      for (const [member, dueAt] of members) if (dueAt <= at) due.push([member, dueAt]);
      due.sort((a, b) => a[1] - b[1]);
      const claimed = due.slice(0, limit).map(([member]) => member);
      for (const member of claimed) members.set(member, until);
      return claimed;
    },
  };
}
