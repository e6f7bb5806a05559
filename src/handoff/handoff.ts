// The handoff's small first part (`biometric-flow-handoff.js`), loaded by the element once a handoff can
// matter (`handoff` is not `off`, and there is a `handoff-endpoint` or the browser is a phone's): whether a
// start goes to a phone (`handoff`, `handoff-endpoint`, the camera, known in-app browsers), decided before
// the session is requested; the "Continue on my phone" choice of `handoff="offer"`; and the handoff's part
// of a presenter (what stands in the flow's box), which src/presenters/choose.ts wraps as it wraps the
// frame. The view itself, its texts and the QR library are in `handoff-view.ts`
// (`biometric-flow-handoff-view.js`), loaded only when a handoff may be shown.
import { html, type TemplateResult } from 'lit';
import type { FlowConfig, HandoffSetting } from '../configuration.js';
import { FlowError } from '../errors.js';
import { OFFER } from '../i18n/handoff.js';
import { lazy } from '../lazy.js';
import type { FramePresenter, PresenterHost } from '../presenters/types.js';
import { inAppBrowser } from './in-app.js';
import { HANDOFF_STYLE } from './view-style.js';

export type { HandoffSetting };

/** What a start goes to: a code for a phone, or (an in-app browser without `handoff-endpoint`) "open in your browser". */
export type HandoffKind = 'phone' | 'browser';

/** Device changes so far: a look at the camera from before one is taken again. */
let deviceChanges = 0;
navigator.mediaDevices?.addEventListener?.('devicechange', () => deviceChanges++);

/** Loads the view ahead of a start that may need it; a start that does then fails with the chunk's error. */
const preloadView = () => void lazy('handoff-view').catch(() => {});

/** The `handoff` setting of an element. */
export function handoffSetting(config: FlowConfig): HandoffSetting {
  const value = config.handoff;
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

/** The configuration mistake of `handoff-endpoint` without `status-endpoint` (told by the deferred module's `explain`). */
function misconfigured(): FlowError {
  return new FlowError('missing-endpoint', 'handoff-endpoint needs status-endpoint: a handoff learns of the end from the status endpoint');
}

/** The handoff of one element (see {@link handoffFor}). */
export interface Handoff {
  /** The "Continue on my phone" button beside the start button, when `handoff="offer"` and `handoff-endpoint` say so. */
  offer(): TemplateResult | undefined;
  /**
   * Called after every render of the element: looks at the camera ahead of any start (so that a start's
   * decision is known at once, and a popup start that hands off opens no window), loads the view when a
   * handoff is likely, and tells a misconfiguration in the console at once.
   */
  prepare(): void;
  /**
   * Where a start goes, decided before its session is requested.
   *
   * @returns `phone`, `browser`, or `undefined` for the flow on this device; a promise of one of those while
   *   the camera is being looked at.
   * @throws {FlowError} `missing-endpoint` for `handoff-endpoint` without `status-endpoint` (no session is spent).
   */
  decide(): HandoffKind | undefined | Promise<HandoffKind | undefined>;
  /**
   * The handoff's part of the presenter (`via: 'handoff'`), once its view's chunk is there: the view
   * stands where the frame would, in the element's box or in the modal's dialog (src/presenters/choose.ts).
   *
   * @throws {FlowError} (the promise rejects) `chunk-load-failed` when the view's chunk did not load.
   */
  part(host: PresenterHost, kind: HandoffKind): Promise<FramePresenter>;
}

/**
 * The handoff of `config`'s element. `start` starts it from the "Continue on my phone" button: that choice
 * is kept here, for the decision within that start() alone.
 */
export function handoffFor(config: FlowConfig, start: () => void): Handoff {
  /** Whether the start under way was chosen by the "Continue on my phone" button. */
  let chosen = false;
  /** The look at the camera: whether it is missing, or the look still under way, and the device changes it saw. */
  let look: { changes: number; missing: boolean | Promise<boolean> } | undefined;

  /** A boolean once known, a promise while under way (started once, again after a device change). */
  function cameraMissing(): boolean | Promise<boolean> {
    if (look?.changes !== deviceChanges) {
      const current: NonNullable<typeof look> = {
        changes: deviceChanges,
        missing: cameraUnavailable().then((missing) => {
          if (look === current) current.missing = missing;
          return missing;
        }),
      };
      look = current;
    }
    return look.missing;
  }

  return {
    offer() {
      if (handoffSetting(config) !== 'offer' || !config.handoffEndpoint) return undefined;
      return html`<button
        part="trigger handoff-offer"
        class="trigger"
        type="button"
        @click=${() => {
          // `decide` takes the choice within start(); a start that failed before deciding does not leave it to the next.
          chosen = true;
          start();
          chosen = false;
        }}
      >
        ${OFFER[config.resolvedLocale]}
      </button>`;
    },

    prepare() {
      const setting = handoffSetting(config);
      if (setting === 'off') return;
      if (!config.handoffEndpoint) {
        if (setting === 'auto' && inAppBrowser()) preloadView();
        return;
      }
      if (!config.statusEndpoint) {
        // Once per element and cause, as every configuration mistake (the deferred module's `explain`).
        lazy('deferred').then((later) => later.explain(config, misconfigured()), () => {});
        return;
      }
      if (setting === 'offer' || inAppBrowser()) {
        preloadView();
        return;
      }
      const missing = cameraMissing();
      if (missing === true) preloadView();
      else if (missing !== false) void missing.then((gone) => {
          if (gone) preloadView();
        });
    },

    decide() {
      const byButton = chosen;
      chosen = false;
      const setting = handoffSetting(config);
      const endpoint = config.handoffEndpoint;
      if (setting === 'off') return undefined;
      if (endpoint && !config.statusEndpoint) throw misconfigured();
      if (byButton && endpoint) return 'phone';
      if (setting !== 'auto') return undefined;
      if (inAppBrowser()) return endpoint ? 'phone' : 'browser';
      if (!endpoint) return undefined;
      const missing = cameraMissing();
      return typeof missing === 'boolean' ? (missing ? 'phone' : undefined) : missing.then((gone) => (gone ? 'phone' : undefined));
    },

    async part(host, kind) {
      const module = await lazy('handoff-view');
      const box = document.createElement('div');
      box.className = 'frame handoff';
      box.setAttribute('part', 'handoff');
      const style = document.createElement('style');
      style.textContent = HANDOFF_STYLE;
      box.append(style);
      const ask = module.handoffView(host, config, kind, box);
      /** Whether `show` came (the session is there), whether the element heard of the view's first render after it, and whether focus went to it. */
      let shown = false;
      let loaded = false;
      let focused = false;
      return {
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
          if (!focused && (!active || active === document.body || (active === config && !config.shadowRoot?.activeElement))) {
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
    },
  };
}
