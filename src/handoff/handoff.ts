// The handoff's small first part (`biometric-flow-handoff.js`), loaded by the element once a handoff can
// matter (`handoff` is not `off`, and there is a `handoff-endpoint` or the browser is a phone's): whether a
// start goes to a phone (`handoff`, `handoff-endpoint`, the camera, known in-app browsers), decided before
// the session is requested; the "Continue on my phone" choice of `handoff="offer"`; and the factory of the
// handoff presenter. The view itself, its texts and the QR library are in `handoff-view.ts`
// (`biometric-flow-handoff-view.js`), loaded only when a handoff may be shown.
import { html, type TemplateResult } from 'lit';
import type { BiometricFlowElement, FlowMode } from '../biometric-flow-element.js';
import { FlowError } from '../errors.js';
import { OFFER } from '../i18n/handoff.js';
import { lazy } from '../lazy.js';
import type { FramePresenter } from '../presenters/frame.js';
import type { Presenter, PresenterHost } from '../presenters/types.js';
import { inAppBrowser } from './in-app.js';

/** The values of the `handoff` attribute; anything else counts as `auto`. */
export type HandoffSetting = 'auto' | 'offer' | 'off';

/** What a start goes to: a code for a phone, or (an in-app browser without `handoff-endpoint`) "open in your browser". */
export type HandoffKind = 'phone' | 'browser';

/** Elements whose next start was chosen by the "Continue on my phone" button. */
const chosen = new WeakSet<Element>();

/** Each element's look at the camera: whether it is missing, or the look still under way; a device change forgets them all. */
let cameras = new WeakMap<Element, boolean | Promise<boolean>>();
navigator.mediaDevices?.addEventListener?.('devicechange', () => (cameras = new WeakMap()));

/** Loads the view ahead of a start that may need it; a start that does then fails with the chunk's error. */
const preloadView = () => void lazy('handoff-view').catch(() => {});


/** The `handoff` setting of an element. */
export function handoffSetting(element: BiometricFlowElement): HandoffSetting {
  const value = element.handoff;
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

/** The element's look at the camera: a boolean once known, a promise while under way (started once, again after a device change). */
function cameraMissing(element: BiometricFlowElement): boolean | Promise<boolean> {
  let known = cameras.get(element);
  if (known === undefined) {
    known = cameraUnavailable().then((missing) => {
      if (cameras.get(element) === known) cameras.set(element, missing);
      return missing;
    });
    cameras.set(element, known);
  }
  return known;
}

/** The configuration mistake of `handoff-endpoint` without `status-endpoint` (told by the deferred module's `explain`). */
function misconfigured(): FlowError {
  return new FlowError('missing-endpoint', 'handoff-endpoint needs status-endpoint: a handoff learns of the end from the status endpoint');
}

/** The "Continue on my phone" button beside the start button, when `handoff="offer"` and `handoff-endpoint` say so. */
export function offer(element: BiometricFlowElement): TemplateResult | undefined {
  if (handoffSetting(element) !== 'offer' || !element.handoffEndpoint) return undefined;
  return html`<button
    part="trigger handoff-offer"
    class="trigger"
    type="button"
    @click=${() => {
      // `decide` takes the choice within start(); a start that failed before deciding does not leave it to the next.
      chosen.add(element);
      void element.start();
      chosen.delete(element);
    }}
  >
    ${OFFER[element.resolvedLocale]}
  </button>`;
}

/**
 * Called after every render of an element that loaded this chunk: looks at the camera ahead of any start
 * (so that a start's decision is known at once, and a popup start that hands off opens no window), loads
 * the view when a handoff is likely, and tells a misconfiguration in the console at once.
 */
export function prepare(element: BiometricFlowElement): void {
  const setting = handoffSetting(element);
  if (setting === 'off') return;
  if (!element.handoffEndpoint) {
    if (setting === 'auto' && inAppBrowser()) preloadView();
    return;
  }
  if (!element.statusEndpoint) {
    // Once per element and cause, as every configuration mistake (the deferred module's `explain`).
    lazy('deferred').then((later) => later.explain(element, misconfigured()), () => {});
    return;
  }
  if (setting === 'offer' || inAppBrowser()) {
    preloadView();
    return;
  }
  const missing = cameraMissing(element);
  if (missing === true) preloadView();
  else if (missing !== false) void missing.then((gone) => {
      if (gone) preloadView();
    });
}

/**
 * Where a start goes, decided before its session is requested.
 *
 * @returns `phone`, `browser`, or `undefined` for the flow on this device; a promise of one of those while
 *   the camera is being looked at.
 * @throws {FlowError} `missing-endpoint` for `handoff-endpoint` without `status-endpoint` (no session is spent).
 */
export function decide(element: BiometricFlowElement): HandoffKind | undefined | Promise<HandoffKind | undefined> {
  const byButton = chosen.delete(element);
  const setting = handoffSetting(element);
  const endpoint = element.handoffEndpoint;
  if (setting === 'off') return undefined;
  if (endpoint && !element.statusEndpoint) throw misconfigured();
  if (byButton && endpoint) return 'phone';
  if (setting !== 'auto') return undefined;
  if (inAppBrowser()) return endpoint ? 'phone' : 'browser';
  if (!endpoint) return undefined;
  const missing = cameraMissing(element);
  return typeof missing === 'boolean' ? (missing ? 'phone' : undefined) : missing.then((gone) => (gone ? 'phone' : undefined));
}

/**
 * The handoff presenter (`via: 'handoff'`), once its view's chunk is there: the view in the element's
 * box (`inline`), or in the modal's dialog (`modal`, and `popup`: a handoff opens no window).
 */
export async function handoffPresenter(host: PresenterHost, element: BiometricFlowElement, kind: HandoffKind, mode: FlowMode): Promise<Presenter> {
  // The deferred module: the modal presenter, and the flow's box (from the core, through it: a static import
  // of the core's frame.ts here would make the build split the core in two). A chunk that does not load
  // fails the start with its `chunk-load-failed`.
  const [module, later] = await Promise.all([lazy('handoff-view'), lazy('deferred')]);
  const box = document.createElement('div');
  box.className = 'frame handoff';
  box.setAttribute('part', 'handoff');
  const ask = module.handoffView(host, element, kind, box);
  /** Whether `show` came (the session is there), whether the element heard of the view's first render after it, and whether focus went to it. */
  let shown = false;
  let loaded = false;
  let focused = false;
  // What a frame is to the inline and modal presenters: the view stands where the frame would.
  const part: FramePresenter = {
    via: 'handoff',
    show() {
      shown = true;
      // The flow runs on the phone, out of this page's sight: its end comes by the status endpoint.
      host.gone(true);
      ask();
    },
    flowWindow: () => null,
    location: () => undefined,
    /** At once, as a frame: the view goes when the start ends. */
    close: () => box.remove(),
    updated() {
      if (host.signal.aborted) return;
      if (!box.isConnected) host.root.querySelector('.frame-box')?.prepend(box);
      if (!box.isConnected) return;
      // Focus follows the start into the view, unless it is somewhere of its own (the dialog's close button).
      const active = document.activeElement;
      if (!focused && (!active || active === document.body || (active === element && !element.shadowRoot?.activeElement))) {
        box.querySelector<HTMLElement>('h2')?.focus();
      }
      focused = true;
      // The view shows: the start's `flow-loaded` (after this render, not inside it).
      if (shown && !loaded) {
        loaded = true;
        queueMicrotask(host.load);
      }
    },
  };
  return mode === 'inline' ? { ...part, render: later.flowBox } : later.modalPresenter(host, part);
}
