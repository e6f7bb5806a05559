// app/api/biometric/session/route.ts
import { createSessionHandler } from 'biometric-flow/server';

// Made when the module loads, checked on the first request: `next build` needs no key.
export const POST = createSessionHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  tokenSecret: process.env.BIOMETRIC_TOKEN_SECRET,
  // Next.js reports request.url on localhost: set BIOMETRIC_ALLOWED_ORIGINS=https://shop.example.
});
export const OPTIONS = POST; // the CORS preflight, for pages on other origins
