// The default views of a start's end, in the element's box: cancelled, finished (what is known of the
// verdict) and error, with their "Try again" buttons.
import { html, nothing, type TemplateResult } from 'lit';
import type { FlowError } from '../errors.js';
import type { FinishedOutcome } from '../events.js';
import { TEXTS } from '../i18n/deferred.js';
import { reasonText } from '../i18n/reasons.js';
import { errorText } from '../i18n/sentences.js';
import type { Locale } from '../locales.js';
import { combinedAdvice } from '../reason-codes.js';

/** Most reasons looked at: a result that names more is summed up by the first ones. */
const MAX_REASONS = 10;

/** The codes of `result.failure_reasons` (the host's default status summary), as many as are looked at. */
function failureCodes(result: unknown): unknown[] {
  const reasons = (result as { failure_reasons?: unknown } | null | undefined)?.failure_reasons;
  return Array.isArray(reasons) ? reasons.slice(0, MAX_REASONS).map((reason) => (reason as { code?: unknown } | null)?.code) : [];
}

/** Says that the start was cancelled, beside the start button. */
export function cancelledView(locale: Locale): TemplateResult {
  return html`<p class="message" role="status">${TEXTS[locale].cancelled}</p>`;
}

/**
 * The "Try again" button after an error a new start may get past (it starts `element` again); nothing after
 * any other (its sentence names the next step).
 */
export function retryButton(locale: Locale, error: FlowError | undefined, element: { start(): unknown }): TemplateResult | typeof nothing {
  return error?.retryable
    ? html`<button part="trigger" class="trigger" type="button" @click=${() => void element.start()}>${TEXTS[locale].retry}</button>`
    : nothing;
}

/** The default content of the `finished` slot: what is known of the verdict, never more. */
export function finishedView(
  locale: Locale,
  outcome: FinishedOutcome,
  result: unknown,
  /** "Try again" starts it anew. */
  element: { reset(): void; start(): unknown },
): TemplateResult {
  const texts = TEXTS[locale];
  if (outcome !== 'failed') {
    return html`<p class="message ${outcome === 'passed' ? 'passed' : ''}" role="status" tabindex="-1" data-focus-after-dialog>
      ${outcome === 'passed' ? texts.passed : texts.unconfirmed}
    </p>`;
  }
  const codes = failureCodes(result);
  // What to do, once per sentence; "Try again" only where a new try can help (otherwise the sentences name
  // the next step: register the phone, come back later, contact the site).
  const reasons = [...new Set(codes.map((code) => reasonText(locale, code)))];
  return html`<p class="message error" role="status" tabindex="-1" data-focus-after-dialog>${texts.failed}</p>
    ${reasons.length > 0 ? html`<ul part="reasons" class="reasons">${reasons.map((reason) => html`<li>${reason}</li>`)}</ul>` : nothing}
    ${combinedAdvice(codes).retry
      ? html`<button
          part="trigger"
          class="trigger"
          type="button"
          @click=${() => {
            element.reset();
            void element.start();
          }}
        >
          ${texts.retry}
        </button>`
      : nothing}`;
}

/** The default content of the `error` slot: a sentence for the error. */
export function errorView(locale: Locale, error: FlowError | undefined): TemplateResult {
  return html`<p class="message error" role="alert" tabindex="-1" data-focus-after-dialog>${errorText(locale, error)}</p>`;
}
