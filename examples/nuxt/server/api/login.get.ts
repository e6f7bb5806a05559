// GET /api/login?user=alice (or bob) signs in: the example's stand-in for your sign-in.
export default defineEventHandler((event) => {
  const user = String(getQuery(event).user)
  if (!users.has(user)) throw createError({ statusCode: 404, statusMessage: 'No such user' })
  const sid = crypto.randomUUID()
  signedIn.set(sid, user)
  setCookie(event, 'sid', sid, { path: '/', httpOnly: true, sameSite: 'lax' }) // and secure: true on https
  return sendRedirect(event, '/')
})
