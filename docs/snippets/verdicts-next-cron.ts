/** Your code: the ledger, made once in a module of its own (as in the Express example above). */
declare const verdicts: import('biometric-flow/server').VerdictLedger;
// docs: shown from here
// app/api/cron/biometric-sweep/route.ts: serverless has no timer, so a cron (vercel.json "crons",
// every minute) calls one sweep.
export async function GET(request: Request): Promise<Response> {
  if (request.headers.get('authorization') !== `Bearer ${process.env.CRON_SECRET}`) return new Response(null, { status: 401 });
  return Response.json(await verdicts.sweep()); // { claimed, vendorCalls, decided, delivered }
}
