// The default views of a start's end, in the element's box: cancelled, finished (what is known of the
// verdict) and error, with their "Try again" buttons.
import { html, nothing, type TemplateResult } from 'lit';
import type { FlowError } from '../errors.js';
import type { FinishedOutcome } from '../events.js';
import { TEXTS } from '../i18n/deferred.js';
import { errorText, reasonTexts } from '../i18n/sentences.js';
import type { Locale } from '../locales.js';

/** Says that the start was cancelled, beside the start button. */
export function cancelledView(locale: Locale): TemplateResult {
  return html`<p class="message" role="status">${TEXTS[locale].cancelled}</p>`;
}

/** The "Try again" button after an error a new start may get past (it starts `element` again); nothing after any other. */
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
    return html`<p class="message" role="status" tabindex="-1" data-focus-after-dialog>
      ${outcome === 'passed' ? texts.passed : texts.unconfirmed}
    </p>`;
  }
  const reasons = reasonTexts(locale, result);
  return html`<p class="message error" role="status" tabindex="-1" data-focus-after-dialog>${texts.failed}</p>
    ${reasons.length > 0 ? html`<ul part="reasons" class="reasons">${reasons.map((reason) => html`<li>${reason}</li>`)}</ul>` : nothing}
    <button
      part="trigger"
      class="trigger"
      type="button"
      @click=${() => {
        element.reset();
        void element.start();
      }}
    >
      ${texts.retry}
    </button>`;
}

/** The default content of the `error` slot: a sentence for the error. */
export function errorView(locale: Locale, error: FlowError | undefined): TemplateResult {
  return html`<p class="message error" role="alert" tabindex="-1" data-focus-after-dialog>${errorText(locale, error)}</p>`;
}
