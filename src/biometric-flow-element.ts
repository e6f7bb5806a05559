import { LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { styles } from './biometric-flow-element.styles.js';
import type { FinishMessageRecogniser } from './completion.js';
import type { FlowMode } from './configuration.js';
import type { FlowError } from './errors.js';
import { emit, type FlowState, type Session } from './events.js';
import { LangController, nearestLang } from './lang-controller.js';
import { matchLocale, textsFor, type Locale } from './locales.js';
import type { Presenter } from './presenters/types.js';
import { reportError } from './run/report.js';
import { createRun, type Run, type RunShell } from './run/run.js';
import { focusResult, focusTarget } from './views/focus.js';
import { renderElement } from './views/render.js';
import { takeAhead, warmOnPress } from './warm-up.js';
// Last: imported before the run, the bundler put errors.ts in a file of its own that the core imports
// (the size check `imports no other file statically` fails on it).
import { chunksController } from './chunks-controller.js';

export type { FlowMode };

/** Milliseconds the session request may take, unless `timeout` says otherwise. */
const DEFAULT_TIMEOUT_MS = 15_000;
/** How long a finish seen in the browser waits for a final status, unless `confirm-timeout` says otherwise. */
const DEFAULT_CONFIRM_TIMEOUT_MS = 10_000;

/** Connections so far: each gives the element's sheet a new text (see `connectedCallback`). */
let connections = 0;

const MODES: readonly FlowMode[] = ['inline', 'modal', 'popup'];

/**
 * Shows a Biometric.Vision verification flow for a session that the host's own backend creates, and
 * tells the page when the flow ended. The vendor API key never reaches the browser.
 *
 * @summary An identity-verification flow (liveness, eGov documents, document recognition, face
 * comparison) in an iframe, a modal dialog or a popup.
 * @tag biometric-flow
 *
 * @attr {'idle'|'requesting'|'loading'|'active'|'confirming'|'finished'|'cancelled'|'error'} state - Read-only, reflected: where the element is.
 *
 * @slot trigger - Replaces the default start button; a click on it starts the flow, and a press on it (pointer-down, Space or Enter) warms the flow's connection (see `warm-url`).
 * @slot loading - Shown while the session is requested: over the flow's box, which has its full height from the start.
 * @slot finished - Shown once the flow ended. By default: passed, did not pass (with the reasons and "Try again"), or "we are checking your result".
 * @slot error - Shown after a `flow-error`.
 *
 * @fires {SessionCreatedDetail} session-created - The endpoint answered with a valid session (or `session-id` was given). The flow has started loading by then; `cancel()` in a listener stops it.
 * @fires {FlowLoadedDetail} flow-loaded - The frame or popup finished loading the flow (with a handoff: its view is shown).
 * @fires {FlowMessageDetail} flow-message - Every accepted message from the flow.
 * @fires {FinishedDetail} finished - The flow ended, with what is known of the verdict (`outcome`). A UX signal: your server decides on its own call to the vendor.
 * @fires {CancelledDetail} cancelled - The user or the host stopped the flow.
 * @fires {FlowErrorDetail} flow-error - Anything that went wrong; nothing is ever thrown at the host.
 * @fires {StateChangeDetail} state-change - Every state transition.
 *
 * @csspart base - The element's box.
 * @csspart trigger - The default start button.
 * @csspart frame - The iframe that shows the flow.
 * @csspart dialog - The `<dialog>` of modal mode.
 * @csspart close-button - The dialog's close button.
 * @csspart status - The live region that tells which step the person is on, and that the result is being checked.
 * @csspart reasons - The list of reasons in the default view of a verification that did not pass.
 * @csspart handoff - The handoff view (QR code, code, link), in the flow's box in place of the frame.
 * @csspart handoff-offer - The "Continue on my phone" button of `handoff="offer"`.
 *
 * @cssprop [--biometric-flow-height=640px] - Height of the flow's box (the frame, and the loading state before it).
 * @cssprop [--biometric-flow-radius=12px] - Corner radius of the frame, dialog and buttons.
 * @cssprop [--biometric-flow-backdrop=rgb(0 0 0 / 0.6)] - The modal dialog's backdrop.
 * @cssprop [--biometric-flow-accent=#1f5fd6] - Colour of the start button and focus rings.
 */
export class BiometricFlowElement extends LitElement {
  static override styles = styles;

  // Declared here rather than with decorators: the decorator helpers cost bytes in every CDN download.
  static override properties = {
    sessionEndpoint: { attribute: 'session-endpoint' },
    sessionId: { attribute: 'session-id' },
    statusToken: { attribute: 'status-token' },
    statusEndpoint: { attribute: 'status-endpoint' },
    confirmTimeout: { attribute: 'confirm-timeout', type: Number },
    mode: {},
    locale: {},
    flowBaseUrl: { attribute: 'flow-base-url' },
    finishedUrl: { attribute: 'finished-url' },
    autostart: { type: Boolean },
    resume: { type: Boolean },
    timeout: { type: Number },
    popupFallback: { attribute: 'popup-fallback' },
    warmUrl: { attribute: 'warm-url' },
    handoffEndpoint: { attribute: 'handoff-endpoint' },
    handoff: {},
    context: { attribute: false },
    requestInit: { attribute: false },
    isFinishMessage: { attribute: false },
    _state: { state: true, attribute: false },
    _error: { state: true, attribute: false },
    _step: { state: true, attribute: false },
  };

  /** Host URL (relative is fine) that creates a session: POST `{ locale, context }` → `{ session_id, technologies, status_token? }`. */
  sessionEndpoint?: string;

  /** A session the host already created; when set, no session request is made. */
  sessionId?: string;

  /** The `status_token` of a session given by `session-id`: sent to the status endpoint, in a header only. */
  statusToken?: string;

  /**
   * Optional host URL answering `GET ?session_id=<id>` (header `Biometric-Status-Token`) with
   * `{ session_id, status, result? }`. With it, `finished` waits for the verdict.
   */
  statusEndpoint?: string;

  /** Milliseconds a finish seen in the browser waits for a final status before `finished` says `unconfirmed`. */
  confirmTimeout = DEFAULT_CONFIRM_TIMEOUT_MS;

  /** How the flow is shown: `inline` (in the element's box), `modal` (a native dialog) or `popup` (a new window). */
  mode: FlowMode = 'inline';

  /** `ru`, `kk` or `en`; when unset, the nearest `lang`, else `ru`. */
  locale?: string;

  /** Where `/flow/<id>` lives. */
  flowBaseUrl?: string;

  /** The page the flow ends on; default `<flow-base-url>/finished`. */
  finishedUrl?: string;

  /** Start as soon as the element is connected, instead of showing a start button. */
  autostart = false;

  /**
   * Keep the session in `sessionStorage` (under the session endpoint and the page's path) until it ends
   * or expires: a reload of the page shows the same session again, at once (in popup mode on the next
   * click), with no new session request and no new SMS. A session past its `expires_at` (default 30
   * minutes after it was created) gives `flow-error` `session-expired` instead, and the next start is a
   * new one. Not for `session-id`: that session is the page's to keep.
   */
  resume = false;

  /** Milliseconds the session request may take. */
  timeout = DEFAULT_TIMEOUT_MS;

  /** What to do when the popup is blocked: `modal` shows the flow in a dialog instead, `none` stops. */
  popupFallback: 'modal' | 'none' = 'modal';

  /**
   * A small URL of the flow's origin loaded while the session is requested, to open the connection the
   * flow will use; default `<flow-base-url>/favicon.ico`, `none` for no warm-up.
   */
  warmUrl?: string;

  /**
   * Host URL of a `createHandoffHandler` endpoint: enables continuing on a phone (a QR code, a short code
   * and a copyable link in place of the flow; `finished` comes with `via: 'handoff'`). Needs `status-endpoint`.
   */
  handoffEndpoint?: string;

  /**
   * `auto` (default): hand off when this device has no usable camera or the browser is a known in-app one
   * (without `handoff-endpoint`, an in-app browser gets an "open in your browser" link); `offer`: a
   * "Continue on my phone" button beside the start button; `off`: never.
   */
  handoff?: 'auto' | 'offer' | 'off';

  /** JSON-able value sent to the session endpoint as `context`. */
  context: unknown;

  /** Merged into the session request's `fetch` options (headers, credentials, ...). */
  requestInit?: RequestInit;

  /** Replaces the default recogniser of finish messages; gets the validated data and the raw event. */
  isFinishMessage?: FinishMessageRecogniser;

  private _state: FlowState = 'idle';
  private _error?: FlowError;
  /** Index of the technology the flow is on, from its progress messages. */
  private _step = -1;

  /** The deferred views and the handoff, loaded as they come to matter. */
  readonly #chunks = chunksController(this);
  /** The current start (src/run/run.ts): the one that may write to the element. */
  #run?: Run;
  /** What the element does for its starts. */
  #runShell?: RunShell;
  /** The presenter shown last: it hears of every render until the next start's replaces it (a dialog closes after its start). */
  #shown?: Presenter;

  constructor() {
    super();
    new LangController(this);
  }

  /** Where the element is; reflected to the `state` attribute. */
  get state(): FlowState {
    return this._state;
  }

  /** The current session, once there is one. */
  get session(): Session | undefined {
    return this.#run?.session;
  }

  /** The element's locale: `locale` if it names one, else the nearest `lang`, else `ru`. */
  get resolvedLocale(): Locale {
    return matchLocale(this.locale) ?? matchLocale(nearestLang(this)) ?? 'ru';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The shared sheet gets a text never seen before on every connection: WebKit reuses a sheet's media
    // query results for any sheet of the same text, as they were at the last viewport change that one saw
    // in use, and would lay out an element connected after the viewport changed with none connected for
    // the old size.
    styles.styleSheet?.replaceSync(`${styles.cssText}/*${++connections}*/`);
    this.#reflectState();
    // Looked at after the update: @lit/react and others set properties (autostart too) only after
    // inserting the element.
    void this.updateComplete.then(() => this.#autostart());
  }

  /**
   * Starts by itself when `autostart` says so, or when `resume` has a session kept from before a reload
   * (to show again, or to say it expired); a popup waits for a click.
   */
  async #autostart(): Promise<void> {
    if ((this.autostart || (this.resume && this.mode !== 'popup' && (await this.#chunks.loadLater())?.isKept(this))) && this.isConnected && this._state === 'idle') {
      void this.start();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    takeAhead(this.renderRoot)?.();
    const run = this.#run;
    if (run && !run.ended) {
      run.end();
      this.#setState('idle');
    }
  }

  /**
   * Starts the flow: asks the session endpoint for a session (unless `session-id` is set) and shows it.
   * While a start is under way, returns that start's promise: one session request per start. In popup
   * mode, call it inside a click handler: the window is opened before anything is awaited.
   *
   * An element that is not in the document does not start: nothing could ever end that flow.
   *
   * @returns resolves with the session once the flow is being shown, or with `undefined` when the start
   * ends before that in `flow-error` or `cancelled`, or the element is not connected. Never rejects.
   */
  start(): Promise<Session | undefined> {
    if (this.#run && !this.#run.ended) return this.#run.promise;
    if (!this.isConnected) return Promise.resolve(undefined);
    const run = createRun((this.#runShell ??= this.#shell()), MODES.includes(this.mode) ? this.mode : 'inline', this.resolvedLocale);
    this.#run = run;
    this._error = undefined;
    this._step = -1;
    run.begin();
    return run.promise;
  }

  /**
   * A press on the start button, before its click, while no start is under way: it may warm the flow's
   * connection for the start it announces (`warmOnPress` in warm-up.ts).
   *
   * @internal Called by the start button's template.
   */
  pressed(event: PointerEvent | KeyboardEvent): void {
    if (this.#run?.ended !== false) warmOnPress(this, event);
  }

  /** Stops the flow under way, if any, and fires `cancelled` with reason `api`. */
  cancel(): void {
    this.#run?.cancel('api');
  }

  /** Drops any flow, session and error, without events but `state-change`: back to `idle`. */
  reset(): void {
    this.#run?.end();
    this.#run = undefined;
    this._error = undefined;
    this._step = -1;
    this.#setState('idle');
  }

  /** What a start may do to the element (see src/run/run.ts): the element's state, reports, views, chunks and focus. */
  #shell(): RunShell {
    return {
      // What a start asks of the chunks: they are there, or on their way.
      ...this.#chunks,
      element: this,
      // An unusable value is the default's.
      timeoutMs: () => (Number.isFinite(this.timeout) && this.timeout > 0 ? this.timeout : DEFAULT_TIMEOUT_MS),
      confirmMs: () => (Number.isFinite(this.confirmTimeout) && this.confirmTimeout >= 0 ? this.confirmTimeout : DEFAULT_CONFIRM_TIMEOUT_MS),
      current: () => this.#run,
      setState: (state) => this.#setState(state),
      report: (error) => this.#report(error),
      failed: (error) => (this._error = error),
      step: (index) => (this._step = index),
      shown: (presenter) => (this.#shown = presenter),
      changed: () => this.requestUpdate(),
      focusResult: () => focusResult(this),
      restoreFocus: () => {
        // A deferred view is focused once it is there.
        if (this.#chunks.pending()) focusResult(this);
        else focusTarget(this)?.focus();
      },
    };
  }

  #report(error: FlowError): void {
    reportError(this, error);
    // A configuration mistake is also told in the console, by the deferred module (once per element and cause).
    this.#chunks.explain(error);
  }

  #setState(next: FlowState): void {
    const previous = this._state;
    if (previous === next) return;
    this._state = next;
    // Loaded once the flow shows (the person is busy with it for a while), or when a start ends first.
    // Once the flow loaded, the deferred module also looks whether the page's Permissions-Policy gives its frame the camera.
    if (next !== 'idle' && next !== 'requesting' && next !== 'loading') this.#chunks.explain();
    this.#reflectState();
    emit(this, 'state-change', { state: next, previous });
  }

  #reflectState(): void {
    if (this.getAttribute('state') !== this._state) this.setAttribute('state', this._state);
  }

  /**
   * Also waits for the finished and error views when they are on their way, so that what it resolves
   * after is what a person sees.
   *
   * @returns resolves with whether the last update completed without another pending.
   * @internal Lit's hook behind `updateComplete`, not an API of its own.
   */
  protected override async getUpdateComplete(): Promise<boolean> {
    const done = await super.getUpdateComplete();
    const pending = this.#chunks.pending();
    if (!pending) return done;
    await pending;
    return super.getUpdateComplete();
  }

  override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // A state attribute set from outside is not the element's state; put it back.
    this.#reflectState();
    // `resume` set after the element was connected (a framework, a page that sets it later).
    if (changed.has('resume')) void this.#autostart();
    this.#shown?.updated?.(textsFor(this.resolvedLocale));
  }

  override render(): TemplateResult {
    return renderElement(this, this.#chunks, this.#run, this._error, this._step);
  }
}
