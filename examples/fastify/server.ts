import Fastify from 'fastify'
import fastifyStatic from '@fastify/static'
import { join } from 'node:path'
import { createSessionHandler, createStatusHandler, fastifyRoutes, securityHeaders } from 'biometric-flow/server'

// From `npx biometric-flow-emulator` in development; your key with BIOMETRIC_API_BASE_URL and
// BIOMETRIC_FLOW_BASE_URL unset in production.
const apiKey = process.env.BIOMETRIC_API_KEY!
const apiBaseUrl = process.env.BIOMETRIC_API_BASE_URL
const headers = securityHeaders({ flowBaseUrl: process.env.BIOMETRIC_FLOW_BASE_URL })

const app = Fastify()
// POST /api/biometric/session and GET /api/biometric/status (OPTIONS too), answered before Fastify
// reads the body.
fastifyRoutes(app, {
  session: createSessionHandler({ apiKey, apiBaseUrl }),
  status: createStatusHandler({ apiKey, apiBaseUrl }),
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
