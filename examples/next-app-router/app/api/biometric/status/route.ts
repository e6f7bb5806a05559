import { createStatusHandler } from "biometric-flow/server";

export const GET = createStatusHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
  allowedOrigins: process.env.BIOMETRIC_ALLOWED_ORIGINS?.split(","),
});
