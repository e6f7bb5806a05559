// app/api/biometric/status/route.ts
import { createStatusHandler } from 'biometric-flow/server';

export const GET = createStatusHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  tokenSecret: process.env.BIOMETRIC_TOKEN_SECRET,
});
export const OPTIONS = GET;
