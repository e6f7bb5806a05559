// Popup mode, once its window is open (./popup-window.ts opens it inside the click): navigates the window
// to the flow and watches it. Loaded with the deferred module while the session is requested: every popup
// start loads that module from the start anyway, for the texts it shows beside the popup.
import { html } from 'lit';
import { confirmingNote } from './modal.js';
import type { Presenter, PresenterHost } from './types.js';

/** How often the popup is checked for being closed or back on a readable page: popups give no load events across origins. */
const WATCH_MS = 250;

/**
 * A popup that reads as closed before any sign of life and this soon after it was sent to the flow was
 * most likely cut off by the page's `Cross-Origin-Opener-Policy` (the opener loses the window when the
 * flow's page arrives), not closed by the person.
 */
const SEVER_WINDOW_MS = 5_000;

/**
 * The flow in `popup`, a window opened for this start.
 *
 * Under `Cross-Origin-Opener-Policy: same-origin` (or `same-origin-allow-popups` in the popup's own page)
 * the page loses the popup when the flow's page arrives in it: `closed` reads `true` while the window
 * stays open on a live session. It cannot be told apart from a close for sure; what tells is when: a
 * window closed before the flow showed any sign of life (an accepted message, a readable location) and
 * within {@link SEVER_WINDOW_MS} of being sent to the flow is taken as cut off (`host.gone(true)`).
 */
export function popupPresenter(host: PresenterHost, popup: Window): Presenter {
  let navigatedAt = 0;
  let seen = false;
  /** Closed by `close()`, or cut off: nothing more to watch. */
  let done = false;
  let severed = false;

  function watch(): void {
    if (done) return;
    if (popup.closed) {
      done = true;
      severed = !host.loaded && performance.now() - navigatedAt <= SEVER_WINDOW_MS;
      host.gone(severed);
      return;
    }
    let blank = false;
    try {
      blank = popup.location.href === 'about:blank' || popup.document.readyState !== 'complete';
    } catch {
      // cross-origin: the flow is there
    }
    if (blank) return;
    if (seen) host.moved();
    else {
      seen = true;
      host.load();
    }
  }

  return {
    show(url) {
      // Closed while the session was requested: a person's close, not the opener policy.
      if (popup.closed) {
        host.gone(false);
        return;
      }
      navigatedAt = performance.now();
      try {
        popup.location.href = url.href;
      } catch {
        // The person navigated the blank window away; the watcher sees what it shows now.
      }
      const timer = setInterval(watch, WATCH_MS);
      host.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    },
    flowWindow: () => popup,
    location() {
      try {
        const href = popup.location.href;
        return href === 'about:blank' || popup.document.readyState !== 'complete' ? undefined : href;
      } catch {
        return undefined;
      }
    },
    close() {
      done = true;
      // A window never sent to the flow is closed by its opener's signal (./popup-window.ts), which may
      // leave it up a moment to say why the start failed.
      if (navigatedAt) popup.close();
    },
    render: (view) =>
      view.state === 'confirming'
        ? confirmingNote(view)
        : // A severed popup cannot be brought forward from here; the person can still stop waiting.
          html`<p class="message" role="status">${view.later?.text(view.locale, 'inPopup')}</p>
            <button part="trigger" class="trigger" type="button" @click=${() => (severed ? host.cancel('close-button') : popup.focus())}>
              ${view.later?.text(view.locale, severed ? 'cancel' : 'showPopup')}
            </button>`,
  };
}
