import Fastify from 'fastify'
import fastifyStatic from '@fastify/static'
import { join } from 'node:path'
import { createSessionHandler, createStatusHandler, toNodeListener } from 'biometric-flow/server'

// From `npx biometric-flow-emulator` in development; your key with BIOMETRIC_API_BASE_URL unset in production.
const apiKey = process.env.BIOMETRIC_API_KEY!
const apiBaseUrl = process.env.BIOMETRIC_API_BASE_URL
const routes: Record<string, ReturnType<typeof toNodeListener>> = {
  '/api/biometric/session': toNodeListener(createSessionHandler({ apiKey, apiBaseUrl })),
  '/api/biometric/status': toNodeListener(createStatusHandler({ apiKey, apiBaseUrl })),
}

const app = Fastify()
// Answer from an onRequest hook, before Fastify reads the body; request.url includes the query.
app.addHook('onRequest', (request, reply, done) => {
  const listener = routes[request.url.split('?')[0]!]
  if (!listener) return done()
  reply.hijack()
  listener(request.raw, reply.raw)
})
// The page, and the element's CDN files from the package.
app.register(fastifyStatic, { root: join(process.cwd(), 'public') })
app.register(fastifyStatic, { root: join(process.cwd(), 'node_modules/biometric-flow/dist/cdn'), prefix: '/vendor/', decorateReply: false })

const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
console.log(`Listening on ${address}`)
