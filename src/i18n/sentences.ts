// The sentences of the deferred chunk: a short text by key, the step line, the reasons of a failed
// verification and the sentence for an error, each in the element's locale.
import type { FlowError } from '../errors.js';
import type { FlowState } from '../events.js';
import type { Locale } from '../locales.js';
import { CODES, TECHNOLOGY_NAMES, TEXTS, type LaterTexts, type TextKey } from './deferred.js';

/** One of the short texts the element shows beside the flow: "Checking your result…", a button's label. */
export function text(locale: Locale, key: TextKey): string {
  return TEXTS[locale][key];
}

/**
 * The step line under the flow: that the result is being checked (`confirming`), else the step the
 * person is on (`index`, 0-based, -1 before the flow said), else nothing.
 */
export function stepLine(state: FlowState, locale: Locale, technologies: readonly string[], index: number): string {
  return state === 'confirming' ? TEXTS[locale].confirming : index >= 0 && technologies.length > 0 ? stepText(locale, technologies, index) : '';
}

/** "Step 2 of 3: Face comparison" for the technology at `index` (0-based). */
export function stepText(locale: Locale, technologies: readonly string[], index: number): string {
  const code = technologies[index] ?? '';
  const texts = TEXTS[locale];
  return texts.step
    .replace('{step}', String(index + 1))
    .replace('{total}', String(technologies.length))
    .replace('{name}', texts.names[TECHNOLOGY_NAMES[code]!] ?? code);
}

/** The sentence for a known code among the first `known` of {@link CODES}, else `undefined`. */
function codeText(texts: LaterTexts, code: unknown, known: number = CODES.length): string | undefined {
  const index = CODES.indexOf(code as (typeof CODES)[number]);
  return index < 0 || index >= known ? undefined : texts.codes[index];
}

/**
 * The codes that name a reason of their own: the vendor's known ones. `vendor-error` (a wrong SMS code,
 * a failed liveness check, ...) says nothing a person can use; as a reason it gets the generic sentence.
 */
const REASON_CODES = CODES.indexOf('vendor-error');

/** Most reasons listed: a result that names more is summed up by the first ones. */
const MAX_REASONS = 10;

/**
 * The sentences for `result.failure_reasons[].code` (the host's default status summary): a known code's
 * own, the generic one for any other, each sentence once.
 */
export function reasonTexts(locale: Locale, result: unknown): string[] {
  const texts = TEXTS[locale];
  const reasons = (result as { failure_reasons?: unknown } | null | undefined)?.failure_reasons;
  if (!Array.isArray(reasons)) return [];
  const sentences = reasons
    .slice(0, MAX_REASONS)
    .map((reason) => codeText(texts, (reason as { code?: unknown } | null)?.code, REASON_CODES) ?? texts.reason);
  return [...new Set(sentences)];
}

/** The sentence for an error: the host's code's own when known, else one for the element's code. */
export function errorText(locale: Locale, error: FlowError | undefined): string {
  const texts = TEXTS[locale];
  switch (error?.code) {
    case undefined:
      return texts.error;
    case 'session-request-failed':
    case 'session-timeout':
    case 'status-request-failed':
      return texts.networkError;
    case 'popup-blocked':
      return texts.popupError;
    case 'popup-severed':
      return texts.severedError;
    case 'session-expired':
      return texts.expiredError;
    default:
      return codeText(texts, error?.serverCode) ?? texts.error;
  }
}
