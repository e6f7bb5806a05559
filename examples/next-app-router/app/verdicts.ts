import { createMemoryStore, createVerdictLedger } from "biometric-flow/server";

// The verdict ledger this app's routes share: give it to the session and status routes as `verdicts`
// (with `reference`: your signed-in user's id), and the cron route below sweeps it. Serverless instances
// share no memory, so in production its store is the one they all reach: `createUnstorageStore` over
// Redis (`npm i unstorage ioredis`). The memory store keeps this example free of a database.
export const verdicts = createVerdictLedger({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
  store: createMemoryStore(),
  // Your database here, written idempotently by sessionId.
  async onVerdict({ reference, sessionId, outcome, via }) {
    console.info(`verdict: ${reference} ${outcome} (session ${sessionId}, via ${via})`);
  },
});
