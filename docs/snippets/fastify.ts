import Fastify from 'fastify';
import { createSessionHandler, createStatusHandler, fastifyRoutes } from 'biometric-flow/server';

const apiKey = process.env.BIOMETRIC_API_KEY!;
const tokenSecret = process.env.BIOMETRIC_TOKEN_SECRET;

const app = Fastify();
// POST /api/biometric/session and GET /api/biometric/status (OPTIONS too), answered before Fastify
// reads the body; `prefix` moves them.
fastifyRoutes(app, {
  session: createSessionHandler({ apiKey, tokenSecret }),
  status: createStatusHandler({ apiKey, tokenSecret }),
});
await app.listen({ port: 3000 });
