// app/api/biometric/session/route.ts
import { createSessionHandler } from 'biometric-flow/server';

// Made when the module loads, checked on the first request: `next build` needs no key.
export const POST = createSessionHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  tokenSecret: process.env.BIOMETRIC_TOKEN_SECRET,
  // No allowedOrigins here: set BIOMETRIC_ALLOWED_ORIGINS=https://shop.example (see below).
});
export const OPTIONS = POST; // the CORS preflight, for pages on other origins
