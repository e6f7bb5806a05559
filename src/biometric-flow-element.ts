import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { styles } from './biometric-flow-element.styles.js';
import { defaultIsFinishMessage, isFinishedUrl, progressCode, type FinishMessageRecogniser } from './completion.js';
import type { FlowMode } from './config.js';
import { FlowError } from './errors.js';
import {
  emit,
  type CancelReason,
  type FinishedDetail,
  type FinishedOutcome,
  type FinishedVia,
  type FlowErrorDetail,
  type FlowState,
  type Session,
  type SessionCreatedDetail,
} from './events.js';
import { flowLocation, flowUrl, type FlowLocation } from './flow-url.js';
import { LangController } from './lang-controller.js';
import { CHUNK_FAILED, lazy, type Chunk } from './lazy.js';
import { matchLocale, textsFor, type Locale, type Texts } from './locales.js';
import type { Handoff, HandoffKind } from './handoff/handoff.js';
import { preflight } from './preflight.js';
import { choosePresenter } from './presenters/choose.js';
import type { Presenter, PresenterHost, PresenterView } from './presenters/types.js';
import { parseFlowMessage, type FlowMessage } from './schemas.js';
import { requestSession, sessionOf } from './net/session.js';
import {
  CONFIRM_POLLS,
  FINAL_STATUSES,
  OPEN_POLLS,
  SEVERED_POLLS,
  fetchStatus,
  nextPollDelay,
  outcomeOf,
} from './status-poller.js';
import { startWarmUp, warmUrl } from './warm-up.js';

/** The deferred chunk: texts, views, the modal and popup presenters, the console's help. */
type Deferred = Chunk<'deferred'>;

export type { FlowMode };

const DEFAULT_TIMEOUT_MS = 15_000;
/** How long a finish seen in the browser waits for a final status, unless `confirm-timeout` says otherwise. */
const DEFAULT_CONFIRM_TIMEOUT_MS = 10_000;

/** One start: everything it sets up ends through its controller. */
interface Run {
  readonly controller: AbortController;
  readonly promise: Promise<Session | undefined>;
  readonly resolve: (session: Session | undefined) => void;
  /** The mode this start shows the flow in; a blocked popup or camera policy may change it. */
  mode: FlowMode;
  /** The locale the session is asked for and the flow is shown in, fixed at the start. */
  locale: Locale;
  /** Set once the run ended in any way; nothing it started may act after that. */
  ended: boolean;
  /** How the browser saw the end, once it did: the run then waits for a final status (`confirming`). */
  via?: FinishedVia;
  confirmTimer?: ReturnType<typeof setTimeout>;
  /** The last status answer, kept for a `finished` that comes without a final one. */
  last?: { status: string; result: unknown };
  /** The verdict once `finished` fired, for the finished view. */
  outcome?: FinishedOutcome;
  /** Whether the flow went out of the page's sight (a popup cut off by the opener policy): only status can tell its end. */
  severed?: boolean;
  session?: Session;
  /** With `resume`: the session kept from before a reload, when the run shows it again (see src/resume.ts). */
  resumed?: Session;
  location?: FlowLocation;
  url?: URL;
  /** How the flow is shown, once made (a lazily loaded one comes later: see {@link Run.presenting}). */
  presenter?: Presenter;
  presenting?: Promise<Presenter>;
  /** Whether the flow's window reported its first load. */
  loaded: boolean;
  /** Loads of the flow's window seen so far. */
  loads: number;
  pollTimer?: ReturnType<typeof setTimeout>;
  pollDelay?: number;
  /** Whether a status request is under way: never two at once, so no answer overtakes another. */
  polling?: boolean;
  /** Whether a failing status request was reported already (once per start is enough). */
  statusErrorReported: boolean;
}

function newRun(mode: FlowMode, locale: Locale): Run {
  let resolve!: (session: Session | undefined) => void;
  const promise = new Promise<Session | undefined>((r) => (resolve = r));
  return {
    controller: new AbortController(),
    promise,
    resolve,
    mode,
    locale,
    ended: false,
    loaded: false,
    loads: 0,
    statusErrorReported: false,
  };
}

/** The nearest `lang` above `node`, across shadow roots. */
function nearestLang(node: Node): string | undefined {
  let current: Node | null = node;
  while (current) {
    if (current instanceof Element && current.hasAttribute('lang')) return current.getAttribute('lang') ?? undefined;
    current = current.parentNode ?? (current instanceof ShadowRoot ? current.host : null);
  }
  return undefined;
}

/** Whether the page's user activation allows opening a popup right now. */
function hasUserActivation(): boolean {
  return (navigator as Navigator & { userActivation?: { isActive: boolean } }).userActivation?.isActive ?? false;
}

/** Field names that mean a vendor API key was handed to the browser. */
const API_KEY_NAMES = ['apiKey', 'api_key', 'apikey'];

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
 * @slot trigger - Replaces the default start button; a click on it starts the flow.
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
    _view: { state: true, attribute: false },
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
  /** The progress, finished and error views, once their module is loaded (`null`: it could not be). */
  private _view?: Deferred | null;

  #viewLoading?: Promise<Deferred | null>;
  #run?: Run;
  /** The presenter shown last: it hears of every render until the next start's replaces it (a dialog closes after its start). */
  #shown?: Presenter;
  /** Stops the connection warm-up of the current start. */
  #stopWarmUp?: () => void;
  /** The handoff (its decision chunk): on its way once a handoff can matter, then there (`null`: it could not load). */
  #handoff?: Promise<Handoff | null>;
  #handoffChunk?: Handoff | null;

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
    if ((this.autostart || (this.resume && this.mode !== 'popup' && (await this.#loadView())?.isKept(this))) && this.isConnected && this._state === 'idle') {
      void this.start();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    const run = this.#run;
    if (run && !run.ended) {
      this.#endRun(run);
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
    const run = newRun(MODES.includes(this.mode) ? this.mode : 'inline', this.resolvedLocale);
    this.#run = run;
    this._error = undefined;
    this._step = -1;
    void this.#execute(run);
    return run.promise;
  }

  /** Stops the flow under way, if any, and fires `cancelled` with reason `api`. */
  cancel(): void {
    this.#cancel('api');
  }

  /** Drops any flow, session and error, without events but `state-change`: back to `idle`. */
  reset(): void {
    if (this.#run) this.#endRun(this.#run);
    this.#run = undefined;
    this._error = undefined;
    this._step = -1;
    this.#setState('idle');
  }

  /** One start: session → presenter → (ending, through the listeners it sets up) → event. */
  async #execute(run: Run): Promise<void> {
    try {
      this.#refuseApiKey();
      const problem = preflight(window);
      if (problem?.code === 'camera-blocked-by-policy') {
        // A popup is a document of its own, outside this page's policy. From a click, tell the host and
        // go on there; a popup without a click would be blocked anyway.
        if (run.mode !== 'popup') {
          if (!hasUserActivation()) throw problem;
          this.#report(problem);
          run.mode = 'popup';
        }
      } else if (problem) {
        throw problem;
      }
      run.location = flowLocation({
        baseUrl: this.flowBaseUrl,
        finishedUrl: this.finishedUrl,
        documentBase: document.baseURI,
      });
      // Before anything is awaited: a popup opens inside the click. The handoff is decided before any session
      // request: a start that goes to the person's own browser needs none.
      let handoff = this.#present(run);
      // Awaited only when it is not known yet: the session request of any other start goes out within start().
      if (handoff instanceof Promise) handoff = await handoff;
      if (run.ended) return;
      if (handoff === 'browser') {
        await run.presenting;
        if (!run.ended) this.#setState('active');
        return run.resolve(undefined);
      }

      let session: Session | undefined;
      if (this.sessionId) {
        session = sessionOf({ session_id: this.sessionId, technologies: [], status_token: this.statusToken || undefined });
      } else {
        if (!this.sessionEndpoint) {
          throw new FlowError('missing-endpoint', 'Set session-endpoint (or session-id) before starting');
        }
        this.#setState('requesting');
        // `resume`: the session kept from before a reload, if any and alive; one past its time throws `session-expired`.
        if (this.resume) session = run.resumed = (await this.#loadView())?.resumed(this);
        if (run.ended) return;
        if (!session) {
          const pending = requestSession({
            endpoint: this.sessionEndpoint,
            locale: run.locale,
            context: this.context,
            requestInit: this.requestInit,
            timeoutMs: Number.isFinite(this.timeout) && this.timeout > 0 ? this.timeout : DEFAULT_TIMEOUT_MS,
            signal: run.controller.signal,
          });
          if (!handoff) this.#warmUp(run);
          session = await pending;
        }
      }
      if (run.ended) return;
      const presenter = run.presenter ?? (await run.presenting!);
      if (run.ended) return;

      run.session = session;
      run.url = flowUrl(run.location, session.id, run.locale);
      // The flow starts loading before session-created: a slow listener does not hold it back, and one
      // that cancels still stops it.
      presenter.show(run.url);
      if (run.ended) return; // the popup was closed while the session was requested
      const created: SessionCreatedDetail = { sessionId: session.id, technologies: session.technologies };
      if (run.resumed) created.resumed = true;
      emit(this, 'session-created', created);
      if (run.ended) return;

      window.addEventListener('message', (event) => this.#onMessage(run, event), { signal: run.controller.signal });
      this.#setState('loading');
      run.resolve(session);
    } catch (error) {
      if (run.ended) return;
      this.#fail(run, error instanceof FlowError ? error : new FlowError('session-request-failed', String(error), { cause: error }));
    }
  }

  #refuseApiKey(): void {
    const context = this.context;
    const inContext =
      typeof context === 'object' && context !== null && API_KEY_NAMES.some((name) => Object.hasOwn(context, name));
    if (this.hasAttribute('api-key') || API_KEY_NAMES.some((name) => Object.hasOwn(this, name)) || inContext) {
      throw new FlowError(
        'api-key-exposed',
        'An API key was given to the browser element. Keep it on your server: see biometric-flow/server',
      );
    }
  }

  /**
   * Makes the presenter of the run (see presenters/choose.ts), the handoff decided first: at once when its
   * chunk is there and has looked at the camera, else once it has.
   *
   * @returns where the handoff sends the start (or a promise of it), `undefined` for the flow on this device.
   */
  #present(run: Run): HandoffKind | undefined | Promise<HandoffKind | undefined> {
    const chunk = this.#handoffChunk;
    const handoff = chunk ? chunk.decide() : this.#loadHandoff()?.then((loaded) => loaded?.decide());
    const presenter = choosePresenter(
      run,
      this.#host(run),
      handoff,
      () => this.#handoffChunk,
      () => this._view,
      this.popupFallback,
      (error) => this.#report(error),
    );
    if (presenter instanceof Promise) this.#presentLater(run, presenter);
    else this.#shown = run.presenter = presenter;
    return handoff;
  }

  /**
   * Loads the handoff's decision chunk once a handoff can matter: `handoff` is not `off`, and there is a
   * `handoff-endpoint` or the browser is a phone's or tablet's (every known in-app browser is).
   */
  #loadHandoff(): Promise<Handoff | null> | undefined {
    if (this.handoff === 'off' || !(this.handoffEndpoint || /Mobi|Android|iP(hone|ad)/.test(navigator.userAgent))) return;
    return (this.#handoff ??= lazy('handoff').then(
      (chunk) => {
        this.requestUpdate(); // its offer's button, and `prepare` in `updated`
        return (this.#handoffChunk = chunk.handoffFor(this, () => void this.start()));
      },
      // Without it every start goes on on this device.
      () => (this.#handoffChunk = null),
    ));
  }

  /** A presenter whose module is on its way: the start shows it once it is there. */
  #presentLater(run: Run, made: Promise<Presenter>): void {
    run.presenting = made.then((presenter) => {
      if (!run.ended) {
        this.#shown = run.presenter = presenter;
        this.requestUpdate();
      }
      return presenter;
    });
    // A module that does not come fails the start when it awaits it; no unhandled rejection before that.
    run.presenting.catch(() => {});
  }

  /** What a presenter of `run` may do to the element: report what it sees, once the run is still on. */
  #host(run: Run): PresenterHost {
    const live = () => !run.ended && this.#run === run;
    return {
      root: this.renderRoot,
      locale: run.locale,
      signal: run.controller.signal,
      get loaded() {
        return run.loaded;
      },
      get session() {
        return run.session;
      },
      load: () => {
        if (!live() || !run.session || !run.url) return;
        run.loads += 1;
        // The flow's first message may come before its first load, and counts as loaded already.
        if (run.loads === 1) {
          if (!run.loaded) this.#flowLoaded(run);
        } else {
          this.#pollNow(run); // a later load may be the cross-origin redirect to /finished
        }
        this.#checkLocation(run);
      },
      moved: () => {
        if (live() && !run.via) this.#checkLocation(run);
      },
      gone: (severed) => {
        if (!live() || run.via || run.severed) return;
        if (!severed) this.#cancel('popup-closed');
        else if (!this.statusEndpoint) this.#fail(run, new FlowError('popup-severed', 'The page lost its popup (COOP)'));
        else {
          // Out of sight, not over: wait by status.
          run.severed = true;
          this.requestUpdate();
          this.#schedulePoll(run);
        }
      },
      changed: () => this.requestUpdate(),
      cancel: (reason) => this.#cancel(reason),
      restoreFocus: () => {
        // A deferred view is focused once it is there.
        if (this._view === undefined && this.#viewLoading) this.#focusResult();
        else this.#focusTarget()?.focus();
      },
    };
  }

  #flowLoaded(run: Run): void {
    run.loaded = true;
    // Not before: Firefox drops a connection still being opened with the frame that asked for it, and the
    // flow's request waits for that connection (npm run bench -- --network: 405 → 272 ms at 80 ms RTT).
    this.#endWarmUp();
    this.#setState('active');
    emit(this, 'flow-loaded', { sessionId: run.session!.id, url: run.url!.href });
    // A flow out of sight (a handoff) polls on its own schedule already.
    if (!run.severed) this.#schedulePoll(run);
  }

  /** A readable location of the flow's window on the finished page ends the flow. */
  #checkLocation(run: Run): void {
    const href = run.presenter?.location();
    if (href !== undefined && isFinishedUrl(href, run.location!.finished.href)) this.#finish(run, 'navigation');
  }

  #onMessage(run: Run, event: MessageEvent): void {
    if (run.ended || run.via || !run.url || !run.session) return;
    const source = run.presenter?.flowWindow() ?? null;
    if (event.origin !== run.url.origin || source === null || event.source !== source) return;
    const data = parseFlowMessage(event.data);
    // A message about another session (an earlier flow in the same window, say) says nothing of this one.
    if (data === undefined || (typeof data === 'object' && data.session_id !== undefined && data.session_id.toLowerCase() !== run.session.id.toLowerCase())) return;
    emit(this, 'flow-message', { data, origin: event.origin });
    if (run.ended) return;
    if (!run.loaded) this.#flowLoaded(run); // a popup's first message comes before its watcher looks

    const code = progressCode(data);
    const index = code === undefined ? -1 : (run.session?.technologies.indexOf(code) ?? -1);
    if (index >= 0) this._step = index;
    if (this.#recognisesFinish(run, data, event)) this.#finish(run, 'message');
  }

  #recognisesFinish(run: Run, data: FlowMessage, event: MessageEvent): boolean {
    if (!this.isFinishMessage) return defaultIsFinishMessage(data, run.location!.finished.href);
    try {
      return this.isFinishMessage(data, event) === true;
    } catch (error) {
      // A host's recogniser that throws must not break the flow; it simply did not recognise the message.
      console.error('<biometric-flow>: isFinishMessage threw', error);
      return false;
    }
  }

  /** Asks the status endpoint after the delay its schedule gives: open flow, severed popup or confirming. */
  #schedulePoll(run: Run): void {
    if (!this.statusEndpoint || run.ended || run.polling) return;
    clearTimeout(run.pollTimer);
    run.pollDelay = nextPollDelay(run.pollDelay, run.via ? CONFIRM_POLLS : run.severed ? SEVERED_POLLS : OPEN_POLLS);
    run.pollTimer = setTimeout(() => void this.#poll(run), run.pollDelay);
  }

  #pollNow(run: Run): void {
    if (!this.statusEndpoint || run.ended || run.polling) return;
    clearTimeout(run.pollTimer);
    void this.#poll(run);
  }

  /**
   * One status request; a final status ends the run. Nothing else changes state: a non-final status, an
   * error or an invalid answer only leads to the next request (an error reported once per start).
   */
  async #poll(run: Run): Promise<void> {
    const endpoint = this.statusEndpoint;
    if (!endpoint || !run.session || run.ended || run.polling) return;
    run.polling = true;
    try {
      const { status, result } = await fetchStatus(endpoint, run.session, this.requestInit, run.controller.signal);
      if (run.ended) return;
      run.last = { status, result };
      if (FINAL_STATUSES.has(status)) {
        this.#complete(run, run.via ?? run.presenter?.via ?? 'status', status, result);
        return;
      }
    } catch (error) {
      if (run.ended) return;
      if (error instanceof FlowError && !run.statusErrorReported) {
        // The flow goes on: the status endpoint is a second opinion, and polling keeps trying.
        run.statusErrorReported = true;
        this.#report(error);
      }
    } finally {
      run.polling = false;
    }
    this.#schedulePoll(run);
  }

  /**
   * The browser saw the flow end. Without a status endpoint that is all there is to know: `finished`
   * with outcome `unconfirmed`. With one, the run confirms: the flow is taken down (it has nothing more
   * to show) and the status endpoint is asked, backing off, until a final status or `confirm-timeout`.
   */
  #finish(run: Run, via: FinishedVia): void {
    if (run.ended || run.via || !run.session) return;
    if (!this.statusEndpoint) {
      this.#complete(run, via);
      return;
    }
    run.via = via;
    // The flow has nothing more to show.
    run.presenter?.close();
    const timeout = this.confirmTimeout;
    run.confirmTimer = setTimeout(
      () => this.#complete(run, via, run.last?.status, run.last?.result),
      Number.isFinite(timeout) && timeout >= 0 ? timeout : DEFAULT_CONFIRM_TIMEOUT_MS,
    );
    this.#setState('confirming');
    // A request already under way is not asked twice; its answer counts and the next follows the new schedule.
    run.pollDelay = undefined;
    this.#pollNow(run);
  }

  #complete(run: Run, via: FinishedVia, status?: string, result?: unknown): void {
    if (run.ended || !run.session) return;
    // Focus on the confirming message goes on to the verdict that replaces it.
    if (this.shadowRoot?.activeElement) this.#focusResult();
    this.#endRun(run);
    run.outcome = outcomeOf(status, result);
    this.#setState('finished');
    const detail: FinishedDetail = { sessionId: run.session.id, technologies: run.session.technologies, via, outcome: run.outcome };
    if (status !== undefined) detail.status = status;
    if (result !== undefined) detail.result = result;
    emit(this, 'finished', detail);
  }

  #cancel(reason: CancelReason): void {
    const run = this.#run;
    if (!run || run.ended) return;
    this.#endRun(run);
    this.#setState('cancelled');
    emit(this, 'cancelled', run.session ? { sessionId: run.session.id, reason } : { reason });
  }

  #fail(run: Run, error: FlowError): void {
    this.#endRun(run);
    this._error = error;
    this.#setState('error');
    this.#report(error);
  }

  #report(error: FlowError): void {
    const detail: FlowErrorDetail = { code: error.code, message: error.message, retryable: error.retryable };
    if (error.status !== undefined) detail.status = error.status;
    if (error.serverCode !== undefined) detail.serverCode = error.serverCode;
    if (error.cause !== undefined) detail.cause = error.cause;
    emit(this, 'flow-error', detail);
    // A configuration mistake is also told in the console, by the deferred module (once per element and cause).
    this.#loadView();
    void this.#viewLoading!.then(() => this._view?.explain(this, error));
  }

  /** Ends everything the run started; a start still waiting resolves with `undefined`. */
  #endRun(run: Run): void {
    if (run.ended) return;
    run.ended = true;
    clearTimeout(run.pollTimer);
    clearTimeout(run.confirmTimer);
    run.controller.abort();
    run.presenter?.close();
    this.#endWarmUp();
    run.resolve(undefined);
  }

  #setState(next: FlowState): void {
    const previous = this._state;
    if (previous === next) return;
    this._state = next;
    // Loaded once the flow shows (the person is busy with it for a while), or when a start ends first.
    if (next !== 'idle' && next !== 'requesting' && next !== 'loading') this.#loadView();
    this.#reflectState();
    emit(this, 'state-change', { state: next, previous });
  }

  #reflectState(): void {
    if (this.getAttribute('state') !== this._state) this.setAttribute('state', this._state);
  }

  #loadView(): Promise<Deferred | null> {
    // Without it a flow already shown goes on (the core says what it cannot show); a start that needs it
    // for its presenter fails with `chunk-load-failed` (see `#present`).
    return (this.#viewLoading ??= lazy('deferred').then(
      (view) => (this._view = view),
      () => (this._view = null),
    ));
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
    if (this._view !== undefined || this.#viewLoading === undefined) return done;
    await this.#viewLoading;
    return super.getUpdateComplete();
  }

  /**
   * Warms the flow origin's connection while the session request is in flight, where the flow frame
   * will use it (see `warm-up.ts`); a popup is out of its reach.
   */
  #warmUp(run: Run): void {
    const url = warmUrl(this.warmUrl, run.location!.base, document.baseURI);
    if (run.mode === 'popup' || url === undefined || url.origin === location.origin) return;
    this.#stopWarmUp = startWarmUp(url, this.renderRoot, 'strict-origin-when-cross-origin');
  }

  #endWarmUp(): void {
    this.#stopWarmUp?.();
    this.#stopWarmUp = undefined;
  }

  override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // A state attribute set from outside is not the element's state; put it back.
    this.#reflectState();
    // Modal and popup starts need the deferred module at once: it shows them (and their texts).
    if (this.mode === 'modal' || this.mode === 'popup') this.#loadView();
    // `resume` set after the element was connected (a framework, a page that sets it later).
    if (changed.has('resume')) void this.#autostart();
    // The handoff: its chunk once it can matter, which then looks at the camera ahead of any start.
    void this.#loadHandoff();
    this.#handoffChunk?.prepare();
    this.#shown?.updated?.(textsFor(this.resolvedLocale));
  }

  #focusTarget(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('[part~="trigger"], [data-focus-after-dialog]');
  }

  /** Moves focus to what the element shows once it has rendered (and its deferred view is loaded). */
  #focusResult(): void {
    void this.updateComplete.then(() => this.#focusTarget()?.focus());
  }

  #renderTrigger(label: string): TemplateResult {
    return html`<slot name="trigger" @click=${() => void this.start()}
      ><button part="trigger" class="trigger" type="button">${label}</button></slot
      >${this.#handoffChunk?.offer()}`;
  }

  /** What a presenter renders with: the state, the texts, and the step line under the flow. */
  #presenterView(texts: Texts, run: Run): PresenterView {
    const locale = this.resolvedLocale;
    const step = this._view?.stepLine(this._state, locale, run.session?.technologies ?? [], this._step);
    return { state: this._state, locale, texts, later: this._view, step };
  }

  #renderBody(texts: Texts, run: Run | undefined): TemplateResult | typeof nothing {
    switch (this._state) {
      case 'idle':
        return this.#renderTrigger(texts.start);
      case 'cancelled':
        return html`${this.#renderTrigger(texts.start)} ${this.#deferred((view) => view.cancelledView(this.resolvedLocale))}`;
      case 'requesting':
      case 'loading':
      case 'active':
      case 'confirming':
        if (!run) return nothing;
        // A presenter whose module is still on its way: a spinner until it is there.
        return run.presenter?.render(this.#presenterView(texts, run)) ?? html`<span class="spinner" aria-hidden="true"></span>`;
      case 'finished':
        return html`<slot name="finished"
          >${this.#deferred((view) =>
            view.finishedView(this.resolvedLocale, run?.outcome ?? 'unconfirmed', run?.last?.result, this),
          )}</slot
        >`;
      case 'error': {
        const error = this._error;
        return html`<slot name="error">${this.#deferred((view) => view.errorView(this.resolvedLocale, error))}</slot>
          ${this._view?.retryButton(this.resolvedLocale, error, this)}`;
      }
    }
  }

  /**
   * What `render` makes of the deferred module; a spinner until it is there, never a text that might be
   * the wrong one; the core's own short text if it could not be loaded.
   */
  #deferred(render: (view: Deferred) => TemplateResult): TemplateResult {
    const view = this._view;
    return view
      ? render(view)
      : view === undefined
        ? html`<span class="spinner" aria-hidden="true"></span>`
        : html`<p class="message error" role="alert">${CHUNK_FAILED[this.resolvedLocale]}</p>`;
  }

  override render(): TemplateResult {
    const locale = this.resolvedLocale;
    const texts = textsFor(locale);
    const run = this.#run;
    // Beside the box while the start is on: the modal's dialog.
    const layer = run?.presenter?.layer && !run.ended ? run.presenter.layer(this.#presenterView(texts, run)) : nothing;
    return html`<div part="base" class="base" lang=${locale}>${this.#renderBody(texts, run)}</div>${layer}`;
  }
}
