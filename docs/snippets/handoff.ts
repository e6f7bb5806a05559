import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createHandoffHandler, createSessionHandler, createStatusHandler } from 'biometric-flow/server';

// The same tokenSecret for all three: the handoff endpoint checks the session's status token.
const apiKey = process.env.BIOMETRIC_API_KEY!;
const tokenSecret = process.env.BIOMETRIC_TOKEN_SECRET;
const session = createSessionHandler({ apiKey, tokenSecret });
const status = createStatusHandler({ apiKey, tokenSecret });
// No API key: it makes single-use links (10 minutes) and sends a confirmed phone to the flow.
// With several instances, give them one store (createUnstorageStore) so a link works on any of them.
const handoff = createHandoffHandler({ tokenSecret, siteName: 'Shop' });

const app = new Hono();
app.all('/api/biometric/session', (c) => session(c.req.raw));
app.all('/api/biometric/status', (c) => status(c.req.raw));
// app.all: the element POSTs here, and the phone GETs the link's page and POSTs its confirmation.
app.all('/api/biometric/handoff', (c) => handoff(c.req.raw));

serve({ fetch: app.fetch, port: 3000 });
