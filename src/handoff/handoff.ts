// The handoff's small first part, loaded when an element connects (`biometric-flow-handoff.js`):
// whether a start goes to a phone (`handoff`, `handoff-endpoint`, the camera, known in-app browsers), and
// the "Continue on my phone" choice of `handoff="offer"`. The view itself, its texts and the QR library
// are in `handoff-view.ts` (`biometric-flow-handoff-view.js`), loaded only when a handoff may be shown.
//
// It reaches into the element through one hook (marked "Handoff hook" in biometric-flow-element.ts):
// the element calls `hook(element)` once, and the function it gets back where each start would show its
// flow; a start that the handoff takes gets `via = 'handoff'` and the handoff view as its `frame`.
import { html, type TemplateResult } from 'lit';
import type { BiometricFlowElement } from '../biometric-flow-element.js';
import { FlowError } from '../errors.js';
import type { FinishedVia, Session } from '../events.js';
import type { Locale } from '../locales.js';
import { inAppBrowser } from './in-app.js';

/** The values of the `handoff` attribute; anything else counts as `auto`. */
export type HandoffSetting = 'auto' | 'offer' | 'off';

/** What a start goes to: a code for a phone, or (an in-app browser without `handoff-endpoint`) "open in your browser". */
export type HandoffKind = 'phone' | 'browser';

/** What the handoff reads and sets of a start (the element's own `Run`, seen structurally). */
export interface HandoffRun {
  readonly controller: AbortController;
  /** Resolves with the session once the start shows it (or `undefined` when it ended first). */
  readonly promise: Promise<Session | undefined>;
  mode: 'inline' | 'modal' | 'popup';
  readonly locale: Locale;
  readonly ended: boolean;
  via?: FinishedVia;
  popup?: Window;
  /** What the element shows in its flow box: the handoff view instead of the flow's frame. */
  frame?: HTMLElement;
}

/**
 * Called where a start would show its flow, once its session is known: takes the start (sets `via` to
 * `handoff` and its `frame` to the handoff view) or leaves it be.
 *
 * @throws {FlowError} `missing-endpoint` for `handoff-endpoint` without `status-endpoint`.
 */
export type HandoffDecision = (run: HandoffRun) => Promise<void>;

/** The element as the handoff sees it. */
type Host = BiometricFlowElement;

/** Elements whose next start was chosen by the "Continue on my phone" button. */
const chosen = new WeakSet<Element>();

const OFFER: Record<Locale, string> = {
  ru: 'Продолжить на телефоне',
  kk: 'Телефонда жалғастыру',
  en: 'Continue on my phone',
};

/** The `handoff` attribute as a setting. */
export function handoffSetting(element: Element): HandoffSetting {
  const value = element.getAttribute('handoff');
  return value === 'off' || value === 'offer' ? value : 'auto';
}

/**
 * Whether this device has no camera a page could use, as far as can be known without asking: no
 * `mediaDevices`, a camera permission already denied (the `NotAllowedError` a prompt-less
 * `getUserMedia` would give), or no `videoinput` among the devices (its `NotFoundError`).
 */
export async function cameraUnavailable(): Promise<boolean> {
  const media = navigator.mediaDevices;
  if (!media?.enumerateDevices) return true;
  try {
    if ((await navigator.permissions?.query({ name: 'camera' as PermissionName }))?.state === 'denied') return true;
  } catch {
    // Firefox and older browsers do not know the 'camera' permission name.
  }
  try {
    return !(await media.enumerateDevices()).some((device) => device.kind === 'videoinput');
  } catch {
    return false;
  }
}

function offerButton(host: Host): TemplateResult {
  return html`<button
    part="trigger handoff-offer"
    class="trigger"
    type="button"
    @click=${() => {
      chosen.add(host);
      void host.start();
    }}
  >
    ${OFFER[host.resolvedLocale]}
  </button>`;
}

/** Puts the offer's button beside the start button, or takes it away, as the attributes say now. */
function updateOffer(host: Host): void {
  const offer = handoffSetting(host) === 'offer' && host.hasAttribute('handoff-endpoint') ? offerButton(host) : undefined;
  if (host['_offer'] === undefined && offer === undefined) return;
  host['_offer'] = offer;
  host.requestUpdate();
}

/**
 * The hook's entry, called once per element when it connects: keeps the offer's button up to date with
 * the attributes, looks at the camera early when a handoff may need it, and returns the decision the
 * element calls for each start.
 */
export function hook(element: BiometricFlowElement): HandoffDecision {
  const host = element as Host;
  let camera: Promise<boolean> | undefined;
  let view: Promise<typeof import('./handoff-view.js')> | undefined;
  const loadView = () => (view ??= import('./handoff-view.js'));
  let warned = false;
  const prepare = () => {
    updateOffer(host);
    if (!host.hasAttribute('handoff-endpoint') || handoffSetting(host) === 'off') return;
    // Said at once, not only at a start: by then a session is spent (the decision comes after it).
    if (!host.statusEndpoint && !warned) {
      warned = true;
      console.error('<biometric-flow>: handoff-endpoint needs status-endpoint (a handoff learns of the end from it); starts will fail with missing-endpoint');
    }
    // Ahead of any start, so that a start's decision waits for nothing.
    camera ??= cameraUnavailable();
    if (handoffSetting(host) === 'offer' || inAppBrowser()) void loadView();
    else
      void camera.then((missing) => {
        if (missing) void loadView();
      });
  };
  prepare();
  new MutationObserver(prepare).observe(host, { attributeFilter: ['handoff', 'handoff-endpoint', 'locale', 'lang'] });
  navigator.mediaDevices?.addEventListener?.('devicechange', () => (camera = undefined));

  return async (run) => {
    const byButton = chosen.delete(host);
    const endpoint = host.getAttribute('handoff-endpoint');
    const setting = handoffSetting(host);
    if (endpoint && setting !== 'off' && !host.statusEndpoint) {
      throw new FlowError('missing-endpoint', 'Set status-endpoint as well as handoff-endpoint: a handoff learns of the end from the status endpoint');
    }
    let kind: HandoffKind | undefined;
    if (setting === 'off') kind = undefined;
    else if (byButton && endpoint) kind = 'phone';
    else if (setting === 'auto' && inAppBrowser()) kind = endpoint ? 'phone' : 'browser';
    else if (setting === 'auto' && endpoint && (await (camera ??= cameraUnavailable()))) kind = 'phone';
    if (kind === undefined || run.ended) return;
    run.popup?.close();
    run.popup = undefined;
    if (run.mode === 'popup') run.mode = 'modal';
    run.via = 'handoff';
    const box = document.createElement('div');
    box.className = 'frame handoff';
    box.setAttribute('part', 'handoff');
    run.frame = box;
    // The connection warm-up (a hidden frame of the flow's origin, see warm-up.ts) was for a flow that now
    // runs on the phone: it goes, as the element's own frame would have made it go; and so does one that
    // its timer adds later (a session that answered at once may beat it).
    const dropWarmUp = () => {
      for (const node of [...(host.renderRoot as ShadowRoot).children]) {
        if (node.localName === 'iframe' && node.getAttribute('aria-hidden') === 'true') node.remove();
      }
    };
    dropWarmUp();
    const watcher = new MutationObserver(dropWarmUp);
    watcher.observe(host.renderRoot, { childList: true });
    run.controller.signal.addEventListener('abort', () => watcher.disconnect(), { once: true });
    loadView().then(
      (module) => module.showHandoff(host, run, box, kind, endpoint ?? ''),
      (error: unknown) => console.error('<biometric-flow>: the handoff view (biometric-flow-handoff-view.js) did not load; serve it beside biometric-flow.js', error),
    );
  };
}
