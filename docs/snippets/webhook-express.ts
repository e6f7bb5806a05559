/** Your code: records the verdict. */
declare function markVerified(sessionId: string, passed: boolean): Promise<void>;
// docs: shown from here
import express from 'express';
import { createWebhookHandler, toNodeListener } from 'biometric-flow/server';

const app = express();
const webhook = createWebhookHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  pathToken: process.env.BIOMETRIC_WEBHOOK_TOKEN!, // openssl rand -hex 32; the URL you give the vendor ends with it
  async onEvent({ event, verdict }) {
    // verdict only on flow.end: { status, outcome: 'passed' | 'failed' | 'unconfirmed', result, reasons }
    if (verdict) await markVerified(event.session_id, verdict.outcome === 'passed'); // your code
  },
});
app.post('/api/biometric/webhook/:token', toNodeListener(webhook)); // https://shop.example/api/biometric/webhook/<token>
