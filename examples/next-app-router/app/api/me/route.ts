import { currentUserId, users } from "../../users";

// GET /api/me: what the app recorded for the signed-in user.
export async function GET(): Promise<Response> {
  const user = await currentUserId();
  if (user === undefined) return Response.json({ error: "Sign in: /api/login?user=alice" }, { status: 401 });
  const mine = users.get(user)!;
  return Response.json({ user, verified: Object.values(mine).some((verdict) => verdict.outcome === "passed"), verdicts: mine });
}
