// The app's own users and sign-in, in memory: a stand-in for yours (no passwords here). Nitro
// auto-imports what server/utils exports into the server routes.
/** The users table: each user's verdicts by session id, as server/utils/verdicts.ts writes them. */
export const users = new Map<string, Record<string, { outcome: string; via: string; at: string }>>([
  ['alice', {}],
  ['bob', {}],
])
/** Session cookie → user id. */
export const signedIn = new Map<string, string>()

/** The signed-in user's id, from the app's own session cookie (never from what the page sends). */
export function userIdFromSession(cookieHeader: string | null | undefined): string | undefined {
  const sid = /(?:^|;\s*)sid=([^;]+)/.exec(cookieHeader ?? '')?.[1]
  return sid === undefined ? undefined : signedIn.get(sid)
}
