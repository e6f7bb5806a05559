import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createSessionHandler, createStatusHandler } from 'biometric-flow/server';

// On Node the environment is process.env: Hono's c.env holds no environment variables there.
const apiKey = process.env.BIOMETRIC_API_KEY!;
const tokenSecret = process.env.BIOMETRIC_TOKEN_SECRET;
const session = createSessionHandler({ apiKey, tokenSecret });
const status = createStatusHandler({ apiKey, tokenSecret });

const app = new Hono();
app.all('/api/biometric/session', (c) => session(c.req.raw));
app.all('/api/biometric/status', (c) => status(c.req.raw));

serve({ fetch: app.fetch, port: 3000 });
