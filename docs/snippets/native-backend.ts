/** Your code: the app user behind a request's own sign-in (your session cookie, bearer token...), or undefined. */
declare function appUserOf(request: Request): Promise<string | undefined>;
// docs: shown from here
import express from 'express';
import { createSessionHandler, createStatusHandler, toNodeListener } from 'biometric-flow/server';

const apiKey = process.env.BIOMETRIC_API_KEY!;
const tokenSecret = process.env.BIOMETRIC_TOKEN_SECRET;
const session = createSessionHandler({
  apiKey,
  tokenSecret,
  // The web pages' origins. An app sends no Origin header: it passes this check and meets the next one.
  allowedOrigins: ['https://bank.example'],
  // The app's own sign-in decides who may start a verification. Without it, this endpoint creates
  // billed sessions for anyone who finds it.
  authorize: async (request) => (await appUserOf(request)) !== undefined,
  rateLimit: { limit: 5, windowMs: 3_600_000, key: async (request) => (await appUserOf(request)) ?? 'anonymous' },
});
// The app asks with the answer's status_token in the Biometric-Status-Token header, as the element does.
const status = createStatusHandler({ apiKey, tokenSecret });

const app = express();
app.all('/api/biometric/session', toNodeListener(session));
app.all('/api/biometric/status', toNodeListener(status));
app.listen(3000);
