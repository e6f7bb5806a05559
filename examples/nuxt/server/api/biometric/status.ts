import { createStatusHandler } from 'biometric-flow/server'

const handler = createStatusHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
  // Answers about a session to the user it was made for only; a verdict it sees goes to the ledger.
  verdicts,
  reference,
})

export default defineEventHandler((event) => handler(toWebRequest(event)))
