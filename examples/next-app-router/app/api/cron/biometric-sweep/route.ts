import { verdicts } from "../../../verdicts";

// A serverless function has no timer, so a cron calls one sweep of the verdict ledger: the sessions whose
// browser went quiet are asked about, expired ones decided, failed deliveries retried. On Vercel:
// vercel.json `{ "crons": [{ "path": "/api/cron/biometric-sweep", "schedule": "* * * * *" }] }`, which
// sends `Authorization: Bearer <CRON_SECRET>`.
export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const secret = process.env.CRON_SECRET;
  if (!secret || request.headers.get("authorization") !== `Bearer ${secret}`) return new Response(null, { status: 401 });
  return Response.json(await verdicts.sweep()); // { claimed, vendorCalls, decided, delivered }
}
