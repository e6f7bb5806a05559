import { randomUUID } from 'node:crypto'
import { serve } from '@hono/node-server'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import {
  createMemoryStore,
  createSessionHandler,
  createStatusHandler,
  createVerdictLedger,
  createWebhookHandler,
  securityHeaders,
} from 'biometric-flow/server'
import type { ReferenceCallback } from 'biometric-flow/server'

// On Node the settings are in process.env (Hono's c.env holds none there). From
// `npx biometric-flow-emulator` in development; your key with BIOMETRIC_API_BASE_URL and
// BIOMETRIC_FLOW_BASE_URL unset in production.
const apiKey = process.env.BIOMETRIC_API_KEY!
const apiBaseUrl = process.env.BIOMETRIC_API_BASE_URL
const headers = securityHeaders({ flowBaseUrl: process.env.BIOMETRIC_FLOW_BASE_URL })

// --- The app's own users and sign-in: a stand-in for yours (no passwords here). ---
// The users table, in memory: each user's verdicts by session id, as onVerdict below writes them.
type Verdicts = Record<string, { outcome: string; via: string; at: string }>
const users = new Map<string, Verdicts>([['alice', {}], ['bob', {}]])
const signedIn = new Map<string, string>() // session cookie → user id
/** The signed-in user's id, from the app's own session cookie (never from what the page sends). */
function userIdFromSession(cookieHeader: string | null | undefined): string | undefined {
  const sid = /(?:^|;\s*)sid=([^;]+)/.exec(cookieHeader ?? '')?.[1]
  return sid === undefined ? undefined : signedIn.get(sid)
}

// --- The verdict ledger: each session's verdict into the users table, once, for the user who made it. ---
// The memory store serves one process; several instances share one store, Redis through unstorage:
// createUnstorageStore(createStorage({ driver: redisDriver({ url: process.env.REDIS_URL }) })).
const store = createMemoryStore()
const verdicts = createVerdictLedger({
  apiKey,
  apiBaseUrl,
  store,
  async onVerdict({ reference, sessionId, outcome, via }) {
    users.get(reference)![sessionId] = { outcome, via, at: new Date().toISOString() } // idempotent by sessionId
  },
})
const reference: ReferenceCallback = ({ request }) => userIdFromSession(request.headers.get('cookie'))
const session = createSessionHandler({ apiKey, apiBaseUrl, verdicts, reference })
const status = createStatusHandler({ apiKey, apiBaseUrl, verdicts, reference })
// The URL you give the vendor for webhooks ends with BIOMETRIC_WEBHOOK_TOKEN (openssl rand -hex 32).
const webhook = createWebhookHandler({ apiKey, apiBaseUrl, pathToken: process.env.BIOMETRIC_WEBHOOK_TOKEN!, store, verdicts })

const app = new Hono()
// Registered first: on every answer, the page included, the headers the element needs.
app.use(async (c, next) => {
  await next()
  for (const [name, value] of Object.entries(headers)) c.header(name, value)
})
app.all('/api/biometric/session', (c) => session(c.req.raw))
app.all('/api/biometric/status', (c) => status(c.req.raw))
app.post('/api/biometric/webhook/:token', (c) => webhook(c.req.raw))
// GET /api/login?user=alice (or bob) signs in; GET /api/me shows what the app recorded for you.
app.get('/api/login', (c) => {
  const user = c.req.query('user') ?? ''
  if (!users.has(user)) return c.text('No such user', 404)
  const sid = randomUUID()
  signedIn.set(sid, user)
  setCookie(c, 'sid', sid, { path: '/', httpOnly: true, sameSite: 'Lax' }) // and secure: true on https
  return c.redirect('/')
})
app.get('/api/me', (c) => {
  const user = userIdFromSession(c.req.header('cookie'))
  if (user === undefined) return c.json({ error: 'Sign in: /api/login?user=alice' }, 401)
  const mine = users.get(user)!
  return c.json({ user, verified: Object.values(mine).some((verdict) => verdict.outcome === 'passed'), verdicts: mine })
})
// The page, and the element's CDN files from the package.
app.use('/vendor/*', serveStatic({ root: 'node_modules/biometric-flow/dist/cdn', rewriteRequestPath: (path) => path.slice('/vendor'.length) }))
app.use('/*', serveStatic({ root: 'public' }))

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) }, (info) => {
  console.log(`Listening on http://127.0.0.1:${info.port}`)
})
verdicts.start() // a long-lived server sweeps on a timer: the sessions whose browser went quiet
