import { createMemoryStore, createVerdictLedger } from 'biometric-flow/server'
import type { ReferenceCallback } from 'biometric-flow/server'

// The verdict ledger the session, status and webhook routes share; server/plugins/verdict-sweep.ts
// starts its sweep. The memory store serves one process; several instances share one store, Redis
// through unstorage: createUnstorageStore(createStorage({ driver: redisDriver({ url: process.env.REDIS_URL }) })).
export const verdicts = createVerdictLedger({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
  store: createMemoryStore(),
  // Your database here: each session's verdict, once, for the user who made it.
  async onVerdict({ reference, sessionId, outcome, via }) {
    users.get(reference)![sessionId] = { outcome, via, at: new Date().toISOString() } // idempotent by sessionId
  },
})

/** Whom a request is for: the signed-in user. */
export const reference: ReferenceCallback = ({ request }) => userIdFromSession(request.headers.get('cookie'))
