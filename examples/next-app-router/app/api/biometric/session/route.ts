import { createSessionHandler } from "biometric-flow/server";
import { currentUserId } from "../../../users";
import { verdicts } from "../../../verdicts";

export const POST = createSessionHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
  // The site's own origin(s), e.g. https://shop.example: Next reports request.url with its own host.
  allowedOrigins: process.env.BIOMETRIC_ALLOWED_ORIGINS?.split(","),
  // Each session recorded for the signed-in user (nobody signed in: 403, no session made).
  verdicts,
  reference: () => currentUserId(),
});
