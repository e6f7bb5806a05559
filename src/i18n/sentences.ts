// The sentences of the deferred chunk: a short text by key, the step line and the sentence for an error,
// each in the element's locale. (The reasons of a failed verification are in ./reasons.ts.)
import type { FlowError } from '../errors.js';
import type { FlowState } from '../events.js';
import type { Locale } from '../locales.js';
import { isReasonCode } from '../reason-codes.js';
import { CODES, TECHNOLOGY_NAMES, TEXTS, type LaterTexts, type TextKey } from './deferred.js';
import { reasonText } from './reasons.js';

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

/** The sentence for one of the host's own codes ({@link CODES}), else `undefined`. */
function codeText(texts: LaterTexts, code: unknown): string | undefined {
  const index = CODES.indexOf(code as (typeof CODES)[number]);
  return index < 0 ? undefined : texts.codes[index];
}

/**
 * The sentence for an error: the host's code's own when known (a reason code's, the vendor's errors, says
 * what to do next), else one for the element's code; one a new start cannot get past says whom to ask.
 */
export function errorText(locale: Locale, error: FlowError | undefined): string {
  const texts = TEXTS[locale];
  const text = elementText(texts, locale, error);
  return error?.retryable === false && text === texts.error ? `${text} ${texts.contactSite}` : text;
}

function elementText(texts: LaterTexts, locale: Locale, error: FlowError | undefined): string {
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
      return isReasonCode(error?.serverCode) ? reasonText(locale, error.serverCode) : (codeText(texts, error?.serverCode) ?? texts.error);
  }
}
