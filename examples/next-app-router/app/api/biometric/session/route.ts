import { createSessionHandler } from "biometric-flow/server";

export const POST = createSessionHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
  // The site's own origin(s), e.g. https://shop.example: Next reports request.url with its own host.
  allowedOrigins: process.env.BIOMETRIC_ALLOWED_ORIGINS?.split(","),
});
