// The status endpoint's answers, checked, and when to ask again: in the session chunk (src/chunks/session.ts).
import { FlowError } from './errors.js';
import type { Session } from './events.js';
import { parseFields, statusResponseShape, type StatusResponse } from './schemas.js';
import { verdictOf } from './verdict.js';

export { FINAL_STATUSES } from './verdict.js';

/**
 * The status endpoint's answer (see `requestStatus` in src/net/status-request.ts), checked: a status of
 * `session`.
 *
 * @throws {FlowError} `status-request-failed` for an invalid body, or a status of another session.
 */
export function statusOf(body: unknown, session: Session): StatusResponse {
  const code = 'status-request-failed';
  const parsed = parseFields(body, statusResponseShape);
  if (!parsed.success) throw new FlowError(code, `Not a valid status (${parsed.failed.join(', ')})`);
  if (parsed.data.session_id.toLowerCase() !== session.id.toLowerCase()) {
    throw new FlowError(code, 'Not a status of this session');
  }
  return parsed.data;
}

/**
 * Once the browser saw the end: how long the status endpoint may hold each request, in seconds, so that
 * the verdict comes as soon as the host has it rather than at the next poll.
 */
export const CONFIRM_WAIT_SECONDS = 8;
/** An answer that took this long (ms) was held by the endpoint: the next request goes at once. */
export const HELD_MS = 1000;

/** How polls are spaced: the first delay, the factor each next one grows by, and the most it grows to. */
export type PollSchedule = readonly [first: number, factor: number, most: number];

/** While the flow is open: 3 s, then ×1.5 each time, up to 15 s. */
export const OPEN_POLLS: PollSchedule = [3_000, 1.5, 15_000];
/** Once the browser saw the end, the verdict is near: 0.5 s, 1 s, 2 s, then every 4 s. */
export const CONFIRM_POLLS: PollSchedule = [500, 2, 4_000];
/** A popup the page lost (see `popup-severed`): the status is all there is to see the end by. */
export const SEVERED_POLLS: PollSchedule = [3_000, 1.5, 5_000];

/** The delay before the next poll, after `previous` (none yet: the first). */
export function nextPollDelay(previous: number | undefined, [first, factor, most]: PollSchedule): number {
  return previous === undefined ? first : Math.min(most, Math.round(previous * factor));
}

/** What a status says of the verdict (see `verdictOf`); without one, `unconfirmed`. See `FinishedOutcome`. */
export function outcomeOf(status: string | undefined, result: unknown): 'passed' | 'failed' | 'unconfirmed' {
  return verdictOf(status, result) ?? 'unconfirmed';
}
