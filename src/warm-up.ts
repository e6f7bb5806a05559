import { flowLocation } from './flow-url.js';
import { refusesFrame } from './preflight.js';

/**
 * Warms the flow origin's connection while the session is requested, where the flow frame will use it.
 *
 * Browsers key connections by the site of the top-level page as well as the origin (Chromium: by whether
 * the frame is cross-site too), so a page's `<link rel="preconnect">` opens a connection a cross-site flow
 * frame does not reuse. A hidden frame that loads a small URL of the flow origin makes the connection in
 * the flow frame's partition. A popup is a top-level document of the flow's own site: neither reaches
 * its partition, and `npm run bench -- --network` shows neither helps there, so popups get no warm-up.
 */

/**
 * The URL a warm-up loads: `warm-url` resolved against the document, by default `<flow-base>/favicon.ico`;
 * `undefined` when it is `none`, does not parse, is on another origin than the flow (it would warm a
 * connection the flow does not use) or the flow is on the page's own origin (its frame finds the page's
 * connection).
 */
export function warmUrl(attribute: string | undefined, flowBase: URL, documentBase: string): URL | undefined {
  if (attribute === 'none') return undefined;
  let url: URL;
  try {
    url = attribute ? new URL(attribute, documentBase) : new URL('favicon.ico', flowBase);
  } catch {
    return undefined;
  }
  return url.origin === flowBase.origin && url.origin !== location.origin ? url : undefined;
}

/**
 * Puts the warm frame in `parent` at once, and returns what takes it out (idempotent). Called right after
 * the session request's `fetch()`, in the same task: the request is on its way by then (a frame put in
 * before it held it back ~10 ms), and the frame's connection starts ~8 ms sooner than on a task of its own,
 * which ran after the page's next paint (`node bench/trace-flow.mjs --each`: 28 → 20 ms after the click,
 * medians of 15 rounds at 80 ms RTT, where the connection is what the flow waits for).
 */
export function startWarmUp(url: URL, parent: ParentNode): () => void {
  let frame: HTMLIFrameElement | undefined = document.createElement('iframe');
  // visibility:hidden takes it out of sight, of the accessibility tree and of the focus order; no `allow`:
  // it needs nothing. (display:none was tried: in Firefox 7 of 9 flows reused its connection in one run on
  // a busy machine, no better than this frame; it stays the style the bench measured first.)
  frame.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
  // The flow frame's own (presenters/frame.ts).
  frame.referrerPolicy = 'strict-origin-when-cross-origin';
  frame.src = url.href;
  parent.append(frame);
  return () => {
    frame?.remove();
    frame = undefined;
  };
}

/** A warm frame put in ahead of a start, by the element root it is in; `refused` once the page's CSP refused it. */
const ahead = new WeakMap<ParentNode, { href: string; stop: () => void; timer: ReturnType<typeof setTimeout>; refused: boolean }>();

/** How long a warm frame put in ahead waits for the start that its press announced. */
const AHEAD_MS = 10_000;

/**
 * Puts the warm frame in ahead of a start that a press on the start button announces: a press's
 * pointer-down (a held Space key's keydown) comes ~100 ms before its click, a touch's longer, and the
 * connection uses that time. It goes after 10 s unless a start took it (`takeAhead`). One per root.
 */
function warmAhead(url: URL, parent: ParentNode): void {
  if (ahead.has(parent)) return;
  const stopFrame = startWarmUp(url, parent);
  const listening = new AbortController();
  const held = {
    href: url.href,
    stop: () => {
      listening.abort();
      stopFrame();
    },
    timer: setTimeout(() => takeAhead(parent)?.(), AHEAD_MS),
    refused: false,
  };
  // A refusal (a task after the frame went in) comes before the start listens for one (run.ts): the start
  // then makes a frame of its own, whose refusal it hears, rather than go on with this one.
  document.addEventListener('securitypolicyviolation', (event) => (held.refused ||= refusesFrame(event, url.origin)), { signal: listening.signal });
  ahead.set(parent, held);
}

/**
 * Takes the warm frame put in ahead in `parent`, if any: what takes it out, for the start that goes on
 * with it. One for another URL than `url` (the attributes changed since the press), or one the page's CSP
 * refused, is taken out at once.
 */
export function takeAhead(parent: ParentNode, url?: URL): (() => void) | undefined {
  const held = ahead.get(parent);
  if (!held) return undefined;
  ahead.delete(parent);
  clearTimeout(held.timer);
  if (held.refused || (url && url.href !== held.href)) {
    held.stop();
    return undefined;
  }
  return held.stop;
}

/** What a press reads of the element: what its start would do. */
export interface PressConfig {
  readonly mode: string;
  readonly sessionId?: string;
  readonly sessionEndpoint?: string;
  readonly flowBaseUrl?: string;
  readonly finishedUrl?: string;
  readonly warmUrl?: string;
  readonly renderRoot: ParentNode;
}

/**
 * A press on the start button, before its click (a primary pointer-down, a Space or Enter keydown that
 * is not a repeat): when the start it announces will show the flow in a frame after a session request,
 * the flow's connection is warmed now (`warmAhead`). Not for a popup, a given `session-id`, no endpoint,
 * nor a `flow-base-url` that does not parse (the start tells what is wrong with it).
 */
export function warmOnPress(el: PressConfig, event: PointerEvent | KeyboardEvent): void {
  const key = event instanceof KeyboardEvent;
  if (key ? (event.key !== ' ' && event.key !== 'Enter') || event.repeat : event.button !== 0) return;
  if (el.mode === 'popup' || el.sessionId || !el.sessionEndpoint) return;
  let base: URL;
  try {
    base = flowLocation({ baseUrl: el.flowBaseUrl, finishedUrl: el.finishedUrl, documentBase: document.baseURI }).base;
  } catch {
    return;
  }
  const target = warmUrl(el.warmUrl, base, document.baseURI);
  if (target) warmAhead(target, el.renderRoot);
}
