// Modal mode: the flow's box in a native <dialog> opened with showModal(): top layer, inert page, page
// scroll locked; Escape and the close button cancel; focus goes back where it was when the dialog closes.
import { html, nothing, type TemplateResult } from 'lit';
import { flowBox, flowFrame } from './frame.js';
import { adoptDialogStyles } from './modal.styles.js';
import type { FramePresenter, Presenter, PresenterHost, PresenterView } from './types.js';

/** The focused element, looking into open shadow roots. */
function deepActiveElement(): HTMLElement | undefined {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : undefined;
}

/** Said in place of a flow that is not in the element's box (a dialog, a popup) while the result is checked. */
export function confirmingNote({ later, locale }: PresenterView): TemplateResult {
  return html`<p part="status" class="message" role="status" tabindex="-1" data-focus-after-dialog>
    <span class="spinner" aria-hidden="true"></span>${later?.text(locale, 'confirming')}
  </p>`;
}

/** Where the dialog is: 0 not shown yet, 1 open, 2 closed with focus to put back, 3 done. */
type DialogStage = 0 | 1 | 2 | 3;

/** The modal presenter; `frame` is what shows in its box (the flow's frame, or the handoff's view). */
export function modalPresenter(host: PresenterHost, frame: FramePresenter = flowFrame(host)): Presenter {
  // Taken when the presenter is made, at the start (or once its module came): by the time the dialog
  // opens, the trigger that had focus is gone from the page.
  const returnFocus = deepActiveElement();
  let stage: DialogStage = 0;
  let savedOverflow = '';
  // Queried rather than kept in a ref: a removed dialog must read as gone.
  const dialogOf = () => host.root.querySelector<HTMLDialogElement>('dialog');
  adoptDialogStyles(host.root as ShadowRoot);

  return {
    ...frame,
    close() {
      frame.close();
      if (stage !== 1) return;
      // Closed now, with the page's scroll back; focus follows once the dialog is gone from the render.
      dialogOf()?.close();
      document.documentElement.style.overflow = savedOverflow;
      stage = host.root.isConnected ? 2 : 3;
    },
    updated(texts) {
      frame.updated!(texts);
      const dialog = dialogOf();
      if (stage === 0 && dialog && !dialog.open && host.root.isConnected) {
        savedOverflow = document.documentElement.style.overflow;
        document.documentElement.style.overflow = 'hidden';
        stage = 1;
        dialog.showModal();
      } else if (stage === 1 && !dialog) {
        // Taken away without close(): undo the same.
        document.documentElement.style.overflow = savedOverflow;
        stage = 2;
      }
      if (stage === 2 && !dialog) {
        stage = 3;
        if (!host.root.isConnected) return;
        if (returnFocus?.isConnected && returnFocus !== document.body && returnFocus.getClientRects().length > 0) returnFocus.focus();
        else host.restoreFocus();
      }
    },
    render: (view) =>
      view.state === 'confirming' ? confirmingNote(view) : html`<p class="message" role="status">${view.later?.text(view.locale, 'inProgress')}</p>`,
    // The dialog goes once the browser saw the end: the result is checked beside the box (`confirmingNote`).
    layer: (view) =>
      view.state === 'confirming'
        ? nothing
        : html`<dialog part="dialog" class="dialog" aria-label=${view.texts.frameTitle} @cancel=${() => host.cancel('escape')}>
      <div class="dialog-bar">
        <button part="close-button" class="close" type="button" aria-label=${view.later?.text(view.locale, 'close')} @click=${() => host.cancel('close-button')}>
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M3 3l10 10M13 3L3 13" /></svg>
        </button>
      </div>
      <div class="dialog-body">${flowBox(view)}</div>
    </dialog>`,
  };
}
