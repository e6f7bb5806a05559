import { createWebhookHandler } from 'biometric-flow/server'

// The URL you give the vendor for webhooks ends with BIOMETRIC_WEBHOOK_TOKEN (openssl rand -hex 32).
const handler = createWebhookHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
  pathToken: process.env.BIOMETRIC_WEBHOOK_TOKEN!,
  verdicts,
})

export default defineEventHandler((event) => handler(toWebRequest(event)))
