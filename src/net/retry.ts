// The retry policy of a host's error answer: codes after which a new start cannot help.
import { isReasonCode, REASON_ADVICE } from '../reason-codes.js';

/**
 * The host's own error codes after which trying again cannot help, whatever the HTTP status: the site's
 * configuration. A reason code (the vendor's errors, which come as 502) says for itself (`REASON_ADVICE`).
 */
const NO_RETRY = new Set('forbidden forbidden-origin status-token-invalid configuration-error'.split(' '));

/** `false` when the host's code says a retry cannot help; `undefined` leaves it to the code and status. */
export function retryable(serverCode: string | undefined): false | undefined {
  return NO_RETRY.has(serverCode!) || (isReasonCode(serverCode) && !REASON_ADVICE[serverCode].retry) ? false : undefined;
}
