// The popup presenter's first half, in the element's core: the window must be opened synchronously inside
// the person's click, before any await, or browsers block it. It is navigated to the flow by the popup
// presenter (./popup.ts, loaded on demand while the session is requested).

const WIDTH = 480;
const HEIGHT = 760;

/**
 * The window's name: a start opens the window a start of this page opened before, if it is still open, rather
 * than a second one (a reload in the middle of a popup flow leaves its window open).
 */
const NAME = 'biometric-flow';

/** How long a window that says why its start failed stays, unless the person comes back to the page first. */
const LINGER_MS = 4000;

/**
 * Opens an empty, centred popup showing `text`, or takes the one a start of this page opened before (named
 * {@link NAME}: not navigated now, so a flow in it stays until the new start sends the window on); `null`
 * when the browser blocked it. It closes when `signal` aborts; one that is still blank then (the session was
 * refused) shows the abort's reason, when a sentence, instead of closing at once: a window that opens and
 * closes within a blink only flashes. It closes once the person is back on the page, or after {@link LINGER_MS}.
 */
export function openBlankPopup(opener: Window, title: string, text: string, signal: AbortSignal): Window | null {
  const width = Math.min(WIDTH, opener.screen.availWidth);
  const height = Math.min(HEIGHT, opener.screen.availHeight);
  const left = Math.max(0, Math.round(opener.screenX + (opener.outerWidth - width) / 2));
  const top = Math.max(0, Math.round(opener.screenY + (opener.outerHeight - height) / 2));
  let popup: Window | null;
  try {
    popup = opener.open('', NAME, `popup=yes,width=${width},height=${height},left=${left},top=${top}`);
  } catch {
    return null;
  }
  if (!popup) return null;
  const opened = popup;
  const write = (words: string) => {
    opened.document.title = title;
    opened.document.body.textContent = words;
  };
  signal.addEventListener(
    'abort',
    () => {
      const close = () => opened.close();
      try {
        // Readable, so still this page's blank one: a cross-origin flow throws here.
        if (typeof signal.reason === 'string' && opened.location.href === 'about:blank') {
          write(signal.reason);
          setTimeout(close, LINGER_MS);
          opener.addEventListener('focus', close, { once: true });
          return;
        }
      } catch {
        // On the flow: closed at once.
      }
      close();
    },
    { once: true },
  );
  try {
    // Something to look at while the session is requested; the blank page is ours until navigated.
    write(text);
    opened.document.body.style.cssText = 'font: 16px system-ui, sans-serif; display: grid; place-items: center; height: 100vh; margin: 0; padding: 1em; text-align: center';
  } catch {
    // A browser that does not let us write into it (or a window already on the flow) is still usable.
  }
  return popup;
}
