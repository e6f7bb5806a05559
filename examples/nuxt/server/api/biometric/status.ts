import { createStatusHandler } from 'biometric-flow/server'

const handler = createStatusHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
})

export default defineEventHandler((event) => handler(toWebRequest(event)))
