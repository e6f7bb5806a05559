/**
 * The one definition of the verdict (DESIGN.md "The verdict in the host's records"): what a vendor status
 * and result say of whether the person passed. The element, the status handler, the webhook handler and
 * the verdict ledger all decide by it. Browser-safe and tiny: it is in the element's bundle too.
 *
 * @module
 */

/** A final verdict. */
export type Verdict = 'passed' | 'failed';

/**
 * The vendor statuses after which nothing changes. Everything else (`PROGRESS`, the `PENDING` of `{}`,
 * a status this package does not know) is not final: an unknown word is no verdict.
 */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['FINISHED', 'FAILED']);

/**
 * What a status and its result say of the verdict: `passed` for `FINISHED` with `flow_session_result`
 * true; `failed` for `FAILED`, or a final status with `flow_session_result` false; `undefined` (not
 * final) for anything else, `FINISHED` without a boolean result included.
 *
 * @returns the verdict, or `undefined` while there is none.
 */
export function verdictOf(status: string | undefined, result: unknown): Verdict | undefined {
  if (status === undefined || !FINAL_STATUSES.has(status)) return undefined;
  const passed = (result as { flow_session_result?: unknown } | null | undefined)?.flow_session_result;
  if (status === 'FAILED' || passed === false) return 'failed';
  return passed === true ? 'passed' : undefined;
}

/**
 * {@link verdictOf} for the vendor's result object as a whole (it carries its own `status`); `{}`, the
 * vendor's "not yet", and `undefined` are not final.
 *
 * @returns the verdict, or `undefined` while there is none.
 */
export function verdictOfResult(result: { status?: unknown; flow_session_result?: unknown } | null | undefined): Verdict | undefined {
  const status = result?.status;
  return verdictOf(typeof status === 'string' ? status : undefined, result);
}
