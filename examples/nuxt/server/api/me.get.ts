// GET /api/me: what the app recorded for the signed-in user.
export default defineEventHandler((event) => {
  const user = userIdFromSession(getRequestHeader(event, 'cookie'))
  if (user === undefined) throw createError({ statusCode: 401, statusMessage: 'Sign in: /api/login?user=alice' })
  const mine = users.get(user)!
  return { user, verified: Object.values(mine).some((verdict) => verdict.outcome === 'passed'), verdicts: mine }
})
