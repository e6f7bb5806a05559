import { createStatusHandler } from "biometric-flow/server";
import { currentUserId } from "../../../users";
import { verdicts } from "../../../verdicts";

export const GET = createStatusHandler({
  apiKey: process.env.BIOMETRIC_API_KEY!,
  apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL,
  allowedOrigins: process.env.BIOMETRIC_ALLOWED_ORIGINS?.split(","),
  // Answers about a session to the user it was made for only; a verdict it sees goes to the ledger.
  verdicts,
  reference: () => currentUserId(),
});
