// A smaller chaos run (bench/chaos.ts; `npm run bench -- --chaos` is the bigger one) inside `npm test`:
// two host instances as child processes on one real redis-server, the emulator's faults on, one instance
// killed with SIGKILL and started again, forged webhooks, a host database that fails and hangs. Every
// session's verdict must reach the host's records exactly once, with its own reference.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BENCH_CHAOS, describeChaos, runChaos } from '../../bench/chaos.js';
import { requireRedisOnCi, skipWithoutRedis } from './redis-server.js';

requireRedisOnCi();

describe('the chaos run', { skip: skipWithoutRedis }, () => {
  it('loses no verdict, delivers none twice or to another reference, and accepts no forged one', { timeout: 120_000 }, async () => {
    const figures = await runChaos({
      ...BENCH_CHAOS,
      sessions: 200,
      references: 20,
      seed: 4,
      spreadMs: 4000,
      sessionTtlSeconds: 6,
      graceSeconds: 1,
      sweepIntervalMs: 300,
      resultDelayMs: 800,
      pollMs: 700,
      flowMs: [300, 1500],
      killAtMs: 2500,
      downMs: 1000,
      faults: { ...BENCH_CHAOS.faults, seed: 4, resultHangMs: 1500, webhookLateMs: 1500, finishAfterExpiryMs: 2000 },
      // It ends as soon as every session is settled (17-30 s idle); the limit only bounds a loaded machine.
      timeLimitMs: 100_000,
    });
    for (const line of describeChaos(figures)) console.log(line);
    assert.equal(figures.lost, 0, 'lost');
    assert.equal(figures.duplicates, 0, 'duplicate successful deliveries');
    assert.equal(figures.wrongReference, 0, 'wrong reference');
    assert.equal(figures.forgedAccepted, 0, 'forged accepted');
    assert.ok(figures.forgedPosted > 0, 'forged webhooks were posted');
    assert.equal(figures.deliveredOnce, figures.sessions, 'every session delivered exactly once');
  });
});
