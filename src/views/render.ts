// What the element renders, by its state: the start button (and the handoff's offer) before a start and
// after a cancel, the presenter's view while a start shows (and its layer beside the box: the modal's
// dialog), the result views after it ended. The result views come with the deferred chunk: a spinner stands
// in until it is there, never a text that might be the wrong one, and the core's own short text when it
// could not be loaded.
import { html, nothing, type TemplateResult } from 'lit';
import type { Chunks, Deferred } from '../chunks-controller.js';
import type { FlowError } from '../errors.js';
import type { FlowState } from '../events.js';
import { CHUNK_FAILED } from '../lazy.js';
import { textsFor, type Locale } from '../locales.js';
import type { PresenterView } from '../presenters/types.js';
import type { Run } from '../run/run.js';

/**
 * What the render reads of the element: its state and locale; its start buttons start it ("Try again"
 * resets it first), and a press on the start button tells it a start is coming (`pressed`).
 */
export interface ViewHost {
  readonly state: FlowState;
  readonly resolvedLocale: Locale;
  start(): unknown;
  reset(): void;
  pressed(event: PointerEvent | KeyboardEvent): void;
}

/**
 * The element's box, and what goes beside it.
 *
 * @param run the element's current start, if any.
 * @param error the error the last start ended in.
 * @param step index of the technology the flow is on, from its progress messages.
 */
export function renderElement(element: ViewHost, chunks: Chunks, run: Run | undefined, error: FlowError | undefined, step: number): TemplateResult {
  const state = element.state;
  const locale = element.resolvedLocale;
  const texts = textsFor(locale);
  const later = chunks.later();
  /** What a presenter renders with: the state, the texts, and the step line under the flow. */
  const view: PresenterView = { state, locale, texts, later, step: later?.stepLine(state, locale, run?.session?.technologies ?? [], step) };
  /** What `render` makes of the deferred chunk, once it is there. */
  const deferred = (render: (chunk: Deferred) => TemplateResult): TemplateResult =>
    later
      ? render(later)
      : later === undefined
        ? html`<span class="spinner" aria-hidden="true"></span>`
        : html`<p class="message error" role="alert">${CHUNK_FAILED[locale]}</p>`;
  const press = (event: PointerEvent | KeyboardEvent) => element.pressed(event);
  const trigger = (): TemplateResult => html`<slot name="trigger" @click=${() => void element.start()} @pointerdown=${press} @keydown=${press}
    ><button part="trigger" class="trigger" type="button">${texts.start}</button></slot
    >${chunks.handoff()?.offer()}`;
  const body =
    state === 'idle'
      ? trigger()
      : state === 'cancelled'
        ? html`${trigger()} ${deferred((chunk) => chunk.cancelledView(locale))}`
        : state === 'finished'
          ? html`<slot name="finished"
              >${deferred((chunk) => chunk.finishedView(locale, run?.outcome ?? 'unconfirmed', run?.result, element))}</slot
            >`
          : state === 'error'
            ? html`<slot name="error">${deferred((chunk) => chunk.errorView(locale, error))}</slot>
                ${later?.retryButton(locale, error, element)}`
            : // While a start shows (requesting to confirming): its presenter's view, or a spinner while the
              // presenter's module is still on its way.
              run
              ? (run.presenter?.render(view) ?? html`<span class="spinner" aria-hidden="true"></span>`)
              : nothing;
  // Beside the box while the start is on: the modal's dialog.
  const layer = run?.presenter?.layer && !run.ended ? run.presenter.layer(view) : nothing;
  return html`<div part="base" class="base" lang=${locale}>${body}</div>${layer}`;
}
