import { Hono } from 'hono';
import { createSessionHandler, createStatusHandler } from 'biometric-flow/server';

type Bindings = { BIOMETRIC_API_KEY: string; BIOMETRIC_TOKEN_SECRET: string };
type Handler = (request: Request) => Promise<Response>;

// On Cloudflare Workers the secrets are bindings, known from the first request on: make each handler
// then, once, and keep it (a handler made per request would lose its reuse window and rate limits).
let session: Handler | undefined;
let status: Handler | undefined;

const app = new Hono<{ Bindings: Bindings }>();
app.all('/api/biometric/session', (c) => {
  session ??= createSessionHandler({ apiKey: c.env.BIOMETRIC_API_KEY, tokenSecret: c.env.BIOMETRIC_TOKEN_SECRET });
  return session(c.req.raw);
});
app.all('/api/biometric/status', (c) => {
  status ??= createStatusHandler({ apiKey: c.env.BIOMETRIC_API_KEY, tokenSecret: c.env.BIOMETRIC_TOKEN_SECRET });
  return status(c.req.raw);
});

export default app;
