// The session answer, checked (zod/mini, src/schemas.ts). Loaded with the session chunk while the request is
// in flight (see ./session-request.ts), and by `resume` for the session it kept.
import { FlowError } from '../errors.js';
import type { Session } from '../events.js';
import { parseFields, sessionResponseShape } from '../schemas.js';

/**
 * A session from the fields of a session answer, checked as the endpoint's answer is: also for a
 * session the page gives with `session-id` and `status-token`.
 *
 * @throws {FlowError} `session-invalid-response`, naming the fields that failed.
 */
export function sessionOf(fields: unknown): Session {
  const parsed = parseFields(fields, sessionResponseShape);
  if (!parsed.success) throw new FlowError('session-invalid-response', `Not a valid session (${parsed.failed.join(', ')})`);
  const { session_id: id, technologies, status_token: statusToken, expires_at: expiresAt } = parsed.data;
  const session: { id: string; technologies: readonly string[]; statusToken?: string; expiresAt?: string } = { id, technologies };
  if (statusToken !== undefined) session.statusToken = statusToken;
  // Not checked here: only `resume` reads it, and takes a date that does not parse for none.
  if (typeof expiresAt === 'string') session.expiresAt = expiresAt;
  return session;
}
