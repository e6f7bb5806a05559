/**
 * The handlers' `reference` option: the host's own id of whom a request is for (its signed-in user), the
 * anchor that binds a session to that user when it is made (the session handler records it in the
 * verdict ledger) and that the status and handoff handlers check before they answer about a session.
 *
 * @module
 */
import { describeError } from './errors.js';
import type { HandlerAnswer } from './handler-core.js';
import { errorAnswer } from './http.js';
import type { Logger } from './http.js';
import { checkReference } from './verdict-ledger.js';
import type { VerdictLedger } from './verdict-ledger.js';

/** What the `reference` callback is told. */
export interface ReferenceContext {
  /** The incoming request, for its cookies and headers (its body is already read). */
  request: Request;
  /**
   * The element's `context` as sent to the session handler: untrusted browser input. Never take the
   * reference from it alone; `undefined` in the status and handoff handlers.
   */
  context: unknown;
}

/**
 * Whom a request is for: the host's opaque id of its signed-in user (at most 128 characters; no personal
 * data, no IIN, no e-mail), or `undefined` when nobody is signed in.
 */
export type ReferenceCallback = (ctx: ReferenceContext) => string | undefined | Promise<string | undefined>;

/** What a request's reference turned out to be. */
export type ReferenceRead = { kind: 'reference'; reference: string } | { kind: 'none' } | { kind: 'failed' };

/**
 * Checks `reference` and `verdicts` at creation: each must be what its type says, and the handler's
 * check needs both.
 *
 * @throws {TypeError} naming what is wrong.
 */
export function checkReferenceOptions(reference: unknown, verdicts: unknown, caller: string): void {
  if (reference !== undefined && typeof reference !== 'function') throw new TypeError(`${caller}: reference must be a function`);
  if (verdicts !== undefined && (typeof verdicts !== 'object' || verdicts === null || typeof (verdicts as VerdictLedger).get !== 'function')) {
    throw new TypeError(`${caller}: verdicts must be a ledger made by createVerdictLedger()`);
  }
}

/**
 * Reads a request's reference through the host's callback. A callback that throws is logged every time;
 * one that answers something other than a short string or `undefined` is a programming error, logged
 * once as a `TypeError`.
 *
 * @returns the reader.
 */
export function createReferenceReader(
  callback: ReferenceCallback,
  caller: string,
  logger: Logger,
  redact: (text: string) => string,
): (request: () => Request, context: unknown) => Promise<ReferenceRead> {
  let reported = false;
  return async (request, context) => {
    let value: unknown;
    try {
      // A getter: on the Node path the Web `Request` is only built for a callback that reads it.
      value = await callback({
        get request() {
          return request();
        },
        context,
      });
    } catch (error) {
      logger.error(`[biometric-flow] ${caller}: the reference callback threw: ${redact(describeError(error))}`);
      return { kind: 'failed' };
    }
    if (value === undefined) return { kind: 'none' };
    try {
      return { kind: 'reference', reference: checkReference(value, `${caller}: the reference callback answered wrong`) };
    } catch (error) {
      if (!reported) {
        reported = true;
        logger.error(`[biometric-flow] ${describeError(error)}; such requests answer 500 internal-error`);
      }
      return { kind: 'failed' };
    }
  };
}

/**
 * The ownership check of the status and handoff handlers: the request's reference must be the one the
 * session was recorded for, so that a status token that leaked does not reach across accounts.
 *
 * @returns `undefined` when the request may go on, else the answer: 403 `forbidden` (nobody signed in,
 *   or a session of someone else or unknown to the ledger), 500 `internal-error` (the callback failed),
 *   503 `store-unavailable`.
 */
export async function checkOwner(
  read: (request: () => Request, context: unknown) => Promise<ReferenceRead>,
  verdicts: VerdictLedger,
  request: () => Request,
  sessionId: string,
  cors: Record<string, string>,
  refuse: (answer: HandlerAnswer, reason: string) => HandlerAnswer,
  logger: Logger,
): Promise<HandlerAnswer | undefined> {
  const who = await read(request, undefined);
  if (who.kind === 'failed') return errorAnswer(500, { code: 'internal-error', message: 'The request could not be checked' }, cors);
  const forbidden = (reason: string) => refuse(errorAnswer(403, { code: 'forbidden', message: 'You may not use this session' }, cors), reason);
  if (who.kind === 'none') return forbidden(`no reference (nobody signed in) for session ${sessionId}`);
  let owner: string | undefined;
  try {
    owner = (await verdicts.get(sessionId))?.reference;
  } catch (error) {
    logger.error(`[biometric-flow] the verdict ledger could not be read for session ${sessionId}: ${describeError(error)}`);
    return errorAnswer(503, { code: 'store-unavailable', message: 'Retry shortly' }, { ...cors, 'Retry-After': '1' });
  }
  if (owner === undefined) return forbidden(`session ${sessionId} is not in the verdict ledger`);
  if (owner !== who.reference) return forbidden(`session ${sessionId} belongs to another reference`);
  return undefined;
}
