import { randomUUID } from 'node:crypto';
import express from 'express';
import {
  createMemoryStore,
  createSessionHandler,
  createStatusHandler,
  createVerdictLedger,
  createWebhookHandler,
  securityHeaders,
  toNodeListener,
} from 'biometric-flow/server';
import type { ReferenceCallback } from 'biometric-flow/server';

// From `npx biometric-flow-emulator` in development (it prints a key; its URL is the API base and the flow's
// base), or your Biometric.Vision key with BIOMETRIC_API_BASE_URL and BIOMETRIC_FLOW_BASE_URL unset in production.
const apiKey = process.env.BIOMETRIC_API_KEY!;
const apiBaseUrl = process.env.BIOMETRIC_API_BASE_URL;
const headers = securityHeaders({ flowBaseUrl: process.env.BIOMETRIC_FLOW_BASE_URL });

// --- The app's own users and sign-in: a stand-in for yours (no passwords here). ---
// The users table, in memory: each user's verdicts by session id, as onVerdict below writes them.
type Verdicts = Record<string, { outcome: string; via: string; at: string }>;
const users = new Map<string, Verdicts>([['alice', {}], ['bob', {}]]);
const signedIn = new Map<string, string>(); // session cookie → user id
/** The signed-in user's id, from the app's own session cookie (never from what the page sends). */
function userIdFromSession(cookieHeader: string | null | undefined): string | undefined {
  const sid = /(?:^|;\s*)sid=([^;]+)/.exec(cookieHeader ?? '')?.[1];
  return sid === undefined ? undefined : signedIn.get(sid);
}

// --- The verdict ledger: each session's verdict into the users table, once, for the user who made it. ---
// The memory store serves one process; several instances share one store, Redis through unstorage:
// createUnstorageStore(createStorage({ driver: redisDriver({ url: process.env.REDIS_URL }) })).
const store = createMemoryStore();
const verdicts = createVerdictLedger({
  apiKey,
  apiBaseUrl,
  store,
  async onVerdict({ reference, sessionId, outcome, via }) {
    users.get(reference)![sessionId] = { outcome, via, at: new Date().toISOString() }; // idempotent by sessionId
  },
});
const reference: ReferenceCallback = ({ request }) => userIdFromSession(request.headers.get('cookie'));

const app = express();
// app.all, not app.post/app.get: the handler answers the CORS preflight (OPTIONS) and wrong methods itself.
app.all('/api/biometric/session', toNodeListener(createSessionHandler({ apiKey, apiBaseUrl, verdicts, reference })));
app.all('/api/biometric/status', toNodeListener(createStatusHandler({ apiKey, apiBaseUrl, verdicts, reference })));
// The URL you give the vendor for webhooks ends with BIOMETRIC_WEBHOOK_TOKEN (openssl rand -hex 32).
const webhook = createWebhookHandler({ apiKey, apiBaseUrl, pathToken: process.env.BIOMETRIC_WEBHOOK_TOKEN!, store, verdicts });
app.post('/api/biometric/webhook/:token', toNodeListener(webhook));
// GET /api/login?user=alice (or bob) signs in; GET /api/me shows what the app recorded for you.
app.get('/api/login', (req, res) => {
  const user = String(req.query.user);
  if (!users.has(user)) return void res.status(404).send('No such user');
  const sid = randomUUID();
  signedIn.set(sid, user);
  res.cookie('sid', sid, { httpOnly: true, sameSite: 'lax' }).redirect('/'); // and `secure: true` on https
});
app.get('/api/me', (req, res) => {
  const user = userIdFromSession(req.headers.cookie);
  if (user === undefined) return void res.status(401).json({ error: 'Sign in: /api/login?user=alice' });
  const mine = users.get(user)!;
  res.json({ user, verified: Object.values(mine).some((verdict) => verdict.outcome === 'passed'), verdicts: mine });
});
// The page, with the headers the element needs, and the element's CDN files from the package.
app.use(express.static('public', { setHeaders: (res) => res.set(headers) }));
app.use('/vendor', express.static('node_modules/biometric-flow/dist/cdn'));

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`Listening on http://127.0.0.1:${port}`);
});
verdicts.start(); // a long-lived server sweeps on a timer: the sessions whose browser went quiet
