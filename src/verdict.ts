/**
 * Stand-in for the one verdict definition that branch `prelude` adds as `src/verdict.ts`; replaced by
 * it when that branch is merged. Same rule as the element's `outcomeOf`: `FINISHED` with
 * `flow_session_result` true passes, `FAILED` (or `FINISHED` with false) fails, anything else is not final.
 *
 * @returns `'passed'`, `'failed'`, or `undefined` while not final.
 */
export function verdictOf(status: string | undefined, result: unknown): 'passed' | 'failed' | undefined {
  const passed = (result as { flow_session_result?: unknown } | null | undefined)?.flow_session_result;
  if (status === 'FAILED' || (status === 'FINISHED' && passed === false)) return 'failed';
  return status === 'FINISHED' && passed === true ? 'passed' : undefined;
}
