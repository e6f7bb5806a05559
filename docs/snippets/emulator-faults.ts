import { startEmulator } from 'biometric-flow/emulator';

// The same seed gives the same faults: a run that lost a verdict can be replayed.
export const emulator = await startEmulator({
  webhooks: ['http://127.0.0.1:3000/webhooks/biometric'],
  sessionTtlMs: 5 * 60_000,
  resultDelayMs: 3000, // {} for 3 s after every end
  faults: {
    seed: 42,
    resultErrorRate: 0.1, // 500, 502 or 503
    resultTimeoutRate: 0.05, // hangs resultHangMs (30 s), then 504
    webhookDropRate: 0.1,
    webhookDuplicateRate: 0.1,
    webhookReorderRate: 0.1,
    webhookLateRate: 0.1, // webhookLateMs (30 s) late
    finishAfterExpiryRate: 0.05, // final only finishAfterExpiryMs (1 s) after the session's expiry
  },
});
