// The popup presenter's first half, in the element's core: the window must be opened synchronously inside
// the person's click, before any await, or browsers block it. It is navigated to the flow by the popup
// presenter (./popup.ts, loaded on demand while the session is requested).

const WIDTH = 480;
const HEIGHT = 760;

/**
 * Opens an empty, centred popup showing `text`, closed again when `signal` aborts; `null` when the
 * browser blocked it.
 */
export function openBlankPopup(opener: Window, title: string, text: string, signal: AbortSignal): Window | null {
  const width = Math.min(WIDTH, opener.screen.availWidth);
  const height = Math.min(HEIGHT, opener.screen.availHeight);
  const left = Math.max(0, Math.round(opener.screenX + (opener.outerWidth - width) / 2));
  const top = Math.max(0, Math.round(opener.screenY + (opener.outerHeight - height) / 2));
  let popup: Window | null;
  try {
    popup = opener.open('about:blank', '_blank', `popup=yes,width=${width},height=${height},left=${left},top=${top}`);
  } catch {
    return null;
  }
  if (!popup) return null;
  const opened = popup;
  signal.addEventListener('abort', () => opened.close(), { once: true });
  try {
    // Something to look at while the session is requested; the blank page is ours until navigated.
    popup.document.title = title;
    popup.document.body.textContent = text;
    popup.document.body.style.cssText = 'font: 16px system-ui, sans-serif; display: grid; place-items: center; height: 100vh; margin: 0';
  } catch {
    // A browser that does not let us write into it still gives us a usable window.
  }
  return popup;
}
