import { cookies } from "next/headers";

// The app's own users and sign-in, in memory: a stand-in for yours (no passwords here).
/** The users table: each user's verdicts by session id, as app/verdicts.ts writes them. */
export const users = new Map<string, Record<string, { outcome: string; via: string; at: string }>>([
  ["alice", {}],
  ["bob", {}],
]);
/** Session cookie → user id. */
export const signedIn = new Map<string, string>();

/** The signed-in user's id, from the app's own session cookie (never from what the page sends). */
export async function currentUserId(): Promise<string | undefined> {
  const sid = (await cookies()).get("sid")?.value;
  return sid === undefined ? undefined : signedIn.get(sid);
}
