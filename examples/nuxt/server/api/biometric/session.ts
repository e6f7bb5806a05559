import { createSessionHandler } from 'biometric-flow/server'

// Made once when the server loads this route; the key is checked on the first request, so
// `nuxt build` needs none.
const handler = createSessionHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
})

// Every method goes to the handler: it answers the CORS preflight and wrong methods itself.
export default defineEventHandler((event) => handler(toWebRequest(event)))
