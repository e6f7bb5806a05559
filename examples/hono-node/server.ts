import { serve } from '@hono/node-server'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { createSessionHandler, createStatusHandler, securityHeaders } from 'biometric-flow/server'

// On Node the settings are in process.env (Hono's c.env holds none there). From
// `npx biometric-flow-emulator` in development; your key with BIOMETRIC_API_BASE_URL and
// BIOMETRIC_FLOW_BASE_URL unset in production.
const apiKey = process.env.BIOMETRIC_API_KEY!
const apiBaseUrl = process.env.BIOMETRIC_API_BASE_URL
const session = createSessionHandler({ apiKey, apiBaseUrl })
const status = createStatusHandler({ apiKey, apiBaseUrl })
const headers = securityHeaders({ flowBaseUrl: process.env.BIOMETRIC_FLOW_BASE_URL })

const app = new Hono()
// Registered first: on every answer, the page included, the headers the element needs.
app.use(async (c, next) => {
  await next()
  for (const [name, value] of Object.entries(headers)) c.header(name, value)
})
app.all('/api/biometric/session', (c) => session(c.req.raw))
app.all('/api/biometric/status', (c) => status(c.req.raw))
// The page, and the element's CDN files from the package.
app.use('/vendor/*', serveStatic({ root: 'node_modules/biometric-flow/dist/cdn', rewriteRequestPath: (path) => path.slice('/vendor'.length) }))
app.use('/*', serveStatic({ root: 'public' }))

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) }, (info) => {
  console.log(`Listening on http://127.0.0.1:${info.port}`)
})
