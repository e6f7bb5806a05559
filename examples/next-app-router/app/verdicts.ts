import { createMemoryStore, createVerdictLedger } from "biometric-flow/server";
import { users } from "./users";

// The verdict ledger this app's routes share: the session and status routes take it as `verdicts` (with
// `reference`: the signed-in user's id), and the cron route below sweeps it. Serverless instances
// share no memory, so in production its store is the one they all reach: `createUnstorageStore` over
// Redis (`npm i unstorage ioredis`). The memory store keeps this example free of a database.
export const verdicts = createVerdictLedger({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
  store: createMemoryStore(),
  // Your database here: each session's verdict, once, for the user who made it.
  async onVerdict({ reference, sessionId, outcome, via }) {
    users.get(reference)![sessionId] = { outcome, via, at: new Date().toISOString() }; // idempotent by sessionId
  },
});
