import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { securityHeaders } from 'biometric-flow/server';

const headers = securityHeaders({ flowBaseUrl: process.env.BIOMETRIC_FLOW_BASE_URL });

const app = new Hono();
// Registered first: on every answer, the pages serveStatic serves included.
app.use(async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
});

serve({ fetch: app.fetch, port: 3000 });
