import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../src/server/index.js';

describe('createMemoryStore: the verdict ledger\'s operations', () => {
  it('compares and sets: only over the expected value, absent counting as undefined', async () => {
    const store = createMemoryStore();
    assert.equal(await store.compareAndSet('bf:r', undefined, 'one', 60_000), true);
    assert.equal(await store.compareAndSet('bf:r', undefined, 'two', 60_000), false, 'present: not absent any more');
    assert.equal(await store.compareAndSet('bf:r', 'other', 'two', 60_000), false);
    assert.equal(await store.compareAndSet('bf:r', 'one', 'two', 60_000), true);
    assert.equal(await store.get('bf:r'), 'two');
    await store.delete('bf:r');
    assert.equal(await store.get('bf:r'), undefined);
  });

  it('expires records, and an expired record counts as absent', async () => {
    let now = 1_000;
    const store = createMemoryStore({ now: () => now });
    await store.compareAndSet('bf:r', undefined, 'one', 50);
    now += 50;
    assert.equal(await store.get('bf:r'), undefined);
    assert.equal(await store.compareAndSet('bf:r', undefined, 'again', 50), true);
  });

  it('never drops a record for room, while ordinary keys go oldest first', async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    await store.compareAndSet('bf:record', undefined, 'kept', 60_000);
    for (let i = 0; i < 5; i++) await store.set(`bf:key:${i}`, String(i), 60_000);
    assert.equal(await store.get('bf:record'), 'kept');
    assert.equal(await store.get('bf:key:0'), undefined);
    assert.equal(await store.get('bf:key:4'), '4');
  });

  it('claims due members soonest first, moves them to `until`, and leaves the rest', async () => {
    const store = createMemoryStore();
    await store.schedule('bf:due', 'late', 300);
    await store.schedule('bf:due', 'b', 200);
    await store.schedule('bf:due', 'a', 100);
    assert.deepEqual(await store.claimDue('bf:due', 250, 1_000, 10), ['a', 'b']);
    assert.deepEqual(await store.claimDue('bf:due', 250, 1_000, 10), [], 'claimed members are due again only at `until`');
    assert.deepEqual(await store.claimDue('bf:due', 1_000, 2_000, 1), ['late'], 'soonest first, at most `limit`');
    assert.deepEqual((await store.claimDue('bf:due', 1_000, 2_000, 10)).sort(), ['a', 'b']);
  });

  it('schedules only present members when asked, and unschedules', async () => {
    const store = createMemoryStore();
    await store.schedule('bf:due', 'absent', 0, true);
    assert.deepEqual(await store.claimDue('bf:due', 10, 20, 10), []);
    await store.schedule('bf:due', 'here', 50);
    await store.schedule('bf:due', 'here', 5, true);
    assert.deepEqual(await store.claimDue('bf:due', 10, 20, 10), ['here'], 'moved earlier');
    await store.unschedule('bf:due', 'here');
    assert.deepEqual(await store.claimDue('bf:due', 100, 200, 10), []);
  });
});
