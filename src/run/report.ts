// How a start's error reaches the host: `flow-error` on the element, with what is known of it.
import type { FlowError } from '../errors.js';
import { emit, type FlowErrorDetail } from '../events.js';

/** Fires `flow-error` for `error` on `target`; nothing is ever thrown at the host. */
export function reportError(target: EventTarget, error: FlowError): void {
  const detail: FlowErrorDetail = { code: error.code, message: error.message, retryable: error.retryable };
  if (error.status !== undefined) detail.status = error.status;
  if (error.serverCode !== undefined) detail.serverCode = error.serverCode;
  if (error.cause !== undefined) detail.cause = error.cause;
  emit(target, 'flow-error', detail);
}
