import { css } from 'lit';

export const styles = css`
  :host {
    --_height: var(--biometric-flow-height, 640px);
    --_radius: var(--biometric-flow-radius, 12px);
    --_accent: var(--biometric-flow-accent, #1f5fd6);
    display: block;
  }

  :host([hidden]) {
    display: none;
  }

  .base {
    display: flex;
    flex-direction: column;
    gap: 0.75rem;
  }

  .trigger {
    align-self: flex-start;
    font: inherit;
    font-weight: 600;
    padding: 0.75em 1.25em;
    border: 0;
    border-radius: var(--_radius);
    background: var(--_accent);
    color: #fff;
    cursor: pointer;
  }

  .trigger:hover {
    filter: brightness(1.1);
  }

  .trigger:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }

  .message {
    margin: 0;
    display: flex;
    gap: 0.5em;
    align-items: center;
  }

  /* The page's own text colour, whatever its background; the bar says "error", or "passed" in the host's
     accent: a verdict either way has the same weight. */
  .error,
  .passed {
    border-inline-start: 3px solid #d92d20;
    padding-inline-start: .5em;
  }

  .passed {
    border-color: var(--_accent);
  }

  .reasons {
    margin: 0;
    padding-inline-start: 1.25em;
  }

  /* The box has the flow's size from the start: nothing moves when the frame comes in. In the dialog it
     gives up height when the screen is short (WebKit would not make it smaller than its frame without
     the min-block-size). */
  .frame-box {
    position: relative;
    block-size: var(--_height);
    /* A screen shorter than the box (a phone, 320×568): the box and its step line fit on it. */
    block-size: min(var(--_height), 100dvh - 3rem);
    min-block-size: 0;
  }

  .frame {
    display: block;
    inline-size: 100%;
    block-size: 100%;
    border: 0;
    border-radius: var(--_radius);
    background: Canvas;
  }

  .overlay {
    position: absolute;
    inset: 0;
    display: flex;
    gap: 0.5em;
    align-items: center;
    justify-content: center;
    border-radius: var(--_radius);
    background: Canvas;
    color: CanvasText;
  }

  .status:empty {
    display: none;
  }

  .spinner {
    inline-size: 1em;
    block-size: 1em;
    border: 2px solid currentColor;
    border-inline-end-color: transparent;
    border-radius: 50%;
    /* Still for the first 0.3 s: a short wait needs no motion, and no animation frames compete with the
       session request and the frame for the CPU. */
    animation: spin 0.8s linear 0.3s infinite;
  }

  [data-focus-after-dialog]:focus {
    outline: none;
  }

  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
      border-inline-end-color: currentColor;
      opacity: 0.6;
    }
  }
`;
