import Fastify from 'fastify';
import { securityHeaders } from 'biometric-flow/server';

const headers = securityHeaders({ flowBaseUrl: process.env.BIOMETRIC_FLOW_BASE_URL });

const app = Fastify();
// On every answer, the pages @fastify/static serves included (the element's headers do nothing elsewhere).
app.addHook('onSend', async (_request, reply) => {
  reply.headers(headers);
});
await app.listen({ port: 3000 });
