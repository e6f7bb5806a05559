// The modal dialog's styles: in the deferred chunk with the modal presenter (only a modal start, or a popup
// or handoff that falls back to one, needs them), added to the element's own sheet once a dialog is made.
import { css } from 'lit';

export const dialogStyles = css`
  .close:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }

  /* At most the viewport less a margin: the browsers' own maximum size of a modal dialog. */
  .dialog {
    inline-size: 560px;
    padding: 0;
    border: 0;
    border-radius: var(--_radius);
    background: Canvas;
    color: CanvasText;
    box-shadow: 0 24px 64px rgb(0 0 0 / 0.35);
    overflow: hidden;
  }

  /* A column: the bar, then the flow's box, which gives up height (never the bar or the status line)
     when the screen is short. */
  .dialog[open],
  .dialog-body {
    display: flex;
    flex-direction: column;
    min-block-size: 0;
  }

  .dialog::backdrop {
    background: var(--biometric-flow-backdrop, rgb(0 0 0 / 0.6));
  }

  .dialog-bar {
    display: grid;
    justify-content: end;
    padding: 0.25rem;
  }

  .dialog-body {
    padding: 0 0.75rem 0.75rem;
  }

  .close {
    display: grid;
    place-items: center;
    inline-size: 2.75rem;
    block-size: 2.75rem;
    padding: 0;
    border: 0;
    border-radius: 50%;
    background: transparent;
    color: inherit;
    cursor: pointer;
  }

  .close:hover {
    background: color-mix(in srgb, currentColor 10%, transparent);
  }

  .close svg {
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
  }

  /* Phones: the dialog takes the whole screen but the notch and the home bar (with viewport-fit=cover),
     the flow as much of it as it can. */
  @media (max-width: 600px) {
    /* A modal dialog is fixed with all four insets 0: with an automatic size it fills the viewport. */
    .dialog {
      inline-size: auto;
      max-inline-size: none;
      block-size: auto;
      max-block-size: none;
      padding: env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left);
      /* Square corners for the dialog, the frame and its overlay. */
      --_radius: 0;
    }

    .dialog-body,
    .dialog .frame-box {
      flex: 1;
    }

    .dialog-body {
      padding: 0;
    }

    .dialog .status {
      padding: 0.5rem 0.75rem;
    }
  }
`;

/** The dialog's sheet of each element's shadow root, replaced at each dialog. */
const sheets = new WeakMap<ShadowRoot, CSSStyleSheet>();
/** Dialogs so far: each gets a sheet of a new text (as the element's own sheet, see its `connectedCallback`). */
let dialogs = 0;

/**
 * Adds the dialog's styles to `root` (an element's shadow root), in a new sheet of a new text each time in
 * place of the last one: WebKit reuses a sheet's media query results for any sheet of the same text as they
 * were at the last viewport change that one saw in use, and would lay a phone's dialog out at an old size.
 */
export function adoptDialogStyles(root: ShadowRoot): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`${dialogStyles.cssText}/*${++dialogs}*/`);
  const old = sheets.get(root);
  sheets.set(root, sheet);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets.filter((item) => item !== old), sheet];
}
