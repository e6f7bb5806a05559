// app/api/biometric/session/route.ts
import { createSessionHandler } from 'biometric-flow/server';

// Made when the module loads, checked on the first request: `next build` needs no key.
export const POST = createSessionHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  tokenSecret: process.env.BIOMETRIC_TOKEN_SECRET,
  // Next.js reports request.url on localhost: set BIOMETRIC_ALLOWED_ORIGINS=https://shop.example.
  // In development, BIOMETRIC_API_BASE_URL=http://127.0.0.1:8790 sends it to the emulator (apiBaseUrl's default).
});
export const OPTIONS = POST; // the CORS preflight, for pages on other origins
