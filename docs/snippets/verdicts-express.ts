/** Your code: the signed-in user's id from your own session (a cookie here, for the docs test). */
function userIdFromSession(request: Request): string | undefined {
  return /(?:^|;\s*)user=([\w-]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
}
/** Your code: writes the verdict into your records (here: tells the docs test). Idempotent by sessionId. */
async function saveVerification(row: { userId: string; sessionId: string; outcome: string; reasons: string[] }): Promise<void> {
  process.send?.({ verdict: row });
}
// docs: shown from here
import express from 'express';
import { createStorage } from 'unstorage';
import redisDriver from 'unstorage/drivers/redis';
import {
  createSessionHandler,
  createStatusHandler,
  createUnstorageStore,
  createVerdictLedger,
  createWebhookHandler,
  toNodeListener,
} from 'biometric-flow/server';
import type { ReferenceCallback } from 'biometric-flow/server';

const apiKey = process.env.BIOMETRIC_API_KEY!;
const tokenSecret = process.env.BIOMETRIC_TOKEN_SECRET;
// One store for every instance: the ledger's records, its schedule and its leases live there.
const store = createUnstorageStore(createStorage({ driver: redisDriver({ url: process.env.REDIS_URL }) }));

const verdicts = createVerdictLedger({
  apiKey,
  store,
  // Once per session, retried with backoff until it returns; sessionId is the idempotency key.
  async onVerdict({ reference, sessionId, outcome, reasons }) {
    await saveVerification({ userId: reference, sessionId, outcome, reasons: reasons.map((reason) => reason.code) });
  },
});
// Whom a request is for: your user's opaque id from YOUR session, never from the page's body.
const reference: ReferenceCallback = ({ request }) => userIdFromSession(request);

const app = express();
app.all('/api/biometric/session', toNodeListener(createSessionHandler({ apiKey, tokenSecret, verdicts, reference })));
app.all('/api/biometric/status', toNodeListener(createStatusHandler({ apiKey, tokenSecret, store, verdicts, reference })));
const webhook = createWebhookHandler({ apiKey, pathToken: process.env.BIOMETRIC_WEBHOOK_TOKEN!, store, verdicts });
app.post('/api/biometric/webhook/:token', toNodeListener(webhook));
app.listen(3000);
verdicts.start(); // sweeps every 30 s: the sessions whose browser went quiet
