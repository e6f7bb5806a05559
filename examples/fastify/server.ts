import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import fastifyStatic from '@fastify/static'
import { join } from 'node:path'
import {
  createMemoryStore,
  createSessionHandler,
  createStatusHandler,
  createVerdictLedger,
  createWebhookHandler,
  fastifyRoutes,
  securityHeaders,
} from 'biometric-flow/server'
import type { ReferenceCallback } from 'biometric-flow/server'

// From `npx biometric-flow-emulator` in development; your key with BIOMETRIC_API_BASE_URL and
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

const app = Fastify()
// POST /api/biometric/session, GET /api/biometric/status and POST /api/biometric/webhook/:token (OPTIONS
// too), answered before Fastify reads the body. The URL you give the vendor for webhooks ends with
// BIOMETRIC_WEBHOOK_TOKEN (openssl rand -hex 32).
fastifyRoutes(app, {
  session: createSessionHandler({ apiKey, apiBaseUrl, verdicts, reference }),
  status: createStatusHandler({ apiKey, apiBaseUrl, verdicts, reference }),
  webhook: createWebhookHandler({ apiKey, apiBaseUrl, pathToken: process.env.BIOMETRIC_WEBHOOK_TOKEN!, store, verdicts }),
})
// GET /api/login?user=alice (or bob) signs in; GET /api/me shows what the app recorded for you.
app.get<{ Querystring: { user?: string } }>('/api/login', async (request, reply) => {
  const user = String(request.query.user)
  if (!users.has(user)) return reply.code(404).send('No such user')
  const sid = randomUUID()
  signedIn.set(sid, user)
  return reply.header('set-cookie', `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`).redirect('/') // and Secure on https
})
app.get('/api/me', async (request, reply) => {
  const user = userIdFromSession(request.headers.cookie)
  if (user === undefined) return reply.code(401).send({ error: 'Sign in: /api/login?user=alice' })
  const mine = users.get(user)!
  return { user, verified: Object.values(mine).some((verdict) => verdict.outcome === 'passed'), verdicts: mine }
})
// On every answer, the page included: the headers the element needs.
app.addHook('onSend', async (_request, reply) => {
  reply.headers(headers)
})
// The page, and the element's CDN files from the package.
app.register(fastifyStatic, { root: join(process.cwd(), 'public') })
app.register(fastifyStatic, { root: join(process.cwd(), 'node_modules/biometric-flow/dist/cdn'), prefix: '/vendor/', decorateReply: false })

const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
console.log(`Listening on ${address}`)
verdicts.start() // a long-lived server sweeps on a timer: the sessions whose browser went quiet
