import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { styles } from './biometric-flow-element.styles.js';
import { defaultIsFinishMessage, isFinishedUrl, progressCode, readableLocation, type FinishMessageRecogniser } from './completion.js';
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
} from './events.js';
import { flowLocation, flowUrl, type FlowLocation } from './flow-url.js';
import { LangController } from './lang-controller.js';
import { matchLocale, textsFor, type Locale, type Texts } from './locales.js';
import { openBlankPopup, POPUP_WATCH_MS } from './popup.js';
import { documentAllowsCamera, preflight } from './preflight.js';
import { parseFlowMessage, type FlowMessage } from './schemas.js';
import { requestSession, sessionOf } from './session.js';
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
import type { HandoffDecision } from './handoff/handoff.js';

/** The module of what no start needs before its flow shows or it ends. */
type Deferred = typeof import('./deferred.js');

/** How the flow is shown. */
export type FlowMode = 'inline' | 'modal' | 'popup';

const DEFAULT_TIMEOUT_MS = 15_000;
/** How long a finish seen in the browser waits for a final status, unless `confirm-timeout` says otherwise. */
const DEFAULT_CONFIRM_TIMEOUT_MS = 10_000;
/**
 * A popup that reads as closed before any sign of life and this soon after it was sent to the flow was
 * most likely cut off by the page's `Cross-Origin-Opener-Policy` (the opener loses the window when the
 * flow's page arrives), not closed by the person; see `#watchPopup`.
 */
const SEVER_WINDOW_MS = 5_000;

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
  /** Whether the page lost its popup to the page's opener policy (see `#watchPopup`). */
  severed?: boolean;
  /** When the popup was sent to the flow (`performance.now()`). */
  navigatedAt?: number;
  session?: Session;
  location?: FlowLocation;
  url?: URL;
  popup?: Window;
  /** The frame of an inline or modal start, once its session is known (made by `#showFrame`). */
  frame?: HTMLIFrameElement;
  /** Whether the flow's window reported its first load. */
  loaded: boolean;
  /** Frame `load` events seen so far. */
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

/** The focused element, looking into open shadow roots. */
function deepActiveElement(): HTMLElement | undefined {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : undefined;
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
 * @attr {string} handoff-endpoint - Host URL of a `createHandoffHandler` endpoint: enables continuing on a phone (a QR code, a short code and a copyable link in place of the flow; `finished` comes with `via: 'handoff'`). Needs `status-endpoint`.
 * @attr {'auto'|'offer'|'off'} [handoff=auto] - `auto`: hand off when this device has no usable camera or the browser is a known in-app one (without `handoff-endpoint`, an in-app browser gets an "open in your browser" link); `offer`: a "Continue on my phone" button beside the start button; `off`: never.
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
    timeout: { type: Number },
    popupFallback: { attribute: 'popup-fallback' },
    warmUrl: { attribute: 'warm-url' },
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

  /** Milliseconds the session request may take. */
  timeout = DEFAULT_TIMEOUT_MS;

  /** What to do when the popup is blocked: `modal` shows the flow in a dialog instead, `none` stops. */
  popupFallback: 'modal' | 'none' = 'modal';

  /**
   * A small URL of the flow's origin loaded while the session is requested, to open the connection the
   * flow will use; default `<flow-base-url>/favicon.ico`, `none` for no warm-up.
   */
  warmUrl?: string;

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

  #viewLoading?: Promise<void>;
  #run?: Run;
  /** Stops the connection warm-up of the current start. */
  #stopWarmUp?: () => void;
  /** Where focus goes back to when the dialog closes. */
  #returnFocus?: HTMLElement;
  #dialogOpen = false;
  #savedOverflow = '';
  // ▼ Handoff hook (issue 13): all the element holds of the handoff; the rest is src/handoff/.
  /** What src/handoff/ puts beside the start button (`handoff="offer"`). */
  declare private _offer?: unknown;
  /** src/handoff/'s decision, asked where each start would show its flow (loaded on connection: no start waits for it). */
  #handoff?: Promise<HandoffDecision | void>;
  // ▲

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
    this.#handoff ??= import('./handoff/handoff.js').then((module) => module.hook(this), () => {}); // Handoff hook
    // Looked at after the update: @lit/react and others set properties (autostart too) only after
    // inserting the element.
    void this.updateComplete.then(() => {
      if (this.isConnected && this.autostart && this._state === 'idle') void this.start();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    const run = this.#run;
    if (run && !run.ended) {
      this.#endRun(run);
      this.#setState('idle');
    }
    this.#afterDialog(false);
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
    // Taken now: by the time a dialog opens, the trigger that had focus is gone from the page.
    this.#returnFocus = deepActiveElement();
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
      if (run.mode === 'popup') this.#openPopup(run);
      if (run.ended) return;
      // Modal and popup modes show their texts beside the flow from the start.
      if (run.mode !== 'inline') this.#loadView();

      let session: Session;
      if (this.sessionId) {
        session = sessionOf({ session_id: this.sessionId, technologies: [], status_token: this.statusToken || undefined });
      } else {
        if (!this.sessionEndpoint) {
          throw new FlowError('missing-endpoint', 'Set session-endpoint (or session-id) before starting');
        }
        this.#setState('requesting');
        const pending = requestSession({
          endpoint: this.sessionEndpoint,
          locale: run.locale,
          context: this.context,
          requestInit: this.requestInit,
          timeoutMs: Number.isFinite(this.timeout) && this.timeout > 0 ? this.timeout : DEFAULT_TIMEOUT_MS,
          signal: run.controller.signal,
        });
        this.#warmUp(run);
        session = await pending;
      }
      await (await this.#handoff)?.(run); // Handoff hook: may take this start (run.via = 'handoff', its view as run.frame)
      if (run.ended) return;

      run.session = session;
      run.url = flowUrl(run.location, session.id, run.locale);
      // The flow starts loading before session-created: a slow listener does not hold it back, and one
      // that cancels still stops it.
      if (run.popup) this.#navigatePopup(run, run.popup, run.url);
      else if (!run.via) this.#showFrame(run, run.url);
      if (run.ended) return; // the popup was closed while the session was requested
      emit(this, 'session-created', { sessionId: session.id, technologies: session.technologies });
      if (run.ended) return;

      window.addEventListener('message', (event) => this.#onMessage(run, event), { signal: run.controller.signal });
      this.#setState('loading');
      if (run.via) this.#flowLoaded(run); // Handoff hook: its view shows at once, and waits by status
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

  /** Opens the popup now, inside the click; a blocked one falls back as `popup-fallback` says. */
  #openPopup(run: Run): void {
    const texts = textsFor(run.locale);
    const popup = openBlankPopup(window, texts.frameTitle, texts.requesting);
    if (popup) {
      run.popup = popup;
      run.controller.signal.addEventListener('abort', () => popup.close(), { once: true });
      return;
    }
    const blocked = new FlowError('popup-blocked', 'The browser blocked the popup: start from a click, or allow popups');
    if (this.popupFallback === 'none' || documentAllowsCamera(document) === false) throw blocked;
    this.#report(blocked);
    run.mode = 'modal';
  }

  #navigatePopup(run: Run, popup: Window, url: URL): void {
    // Closed while the session was requested: a person's close, not the opener policy (see #watchPopup).
    if (popup.closed) {
      this.#cancel('popup-closed');
      return;
    }
    run.navigatedAt = performance.now();
    try {
      popup.location.href = url.href;
    } catch {
      // The user navigated the blank window away; the watcher sees what it shows now.
    }
    const timer = setInterval(() => this.#watchPopup(run, popup), POPUP_WATCH_MS);
    run.controller.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }

  /**
   * Popups give no load events across origins: look at them on a timer instead.
   *
   * Under `Cross-Origin-Opener-Policy: same-origin` (or `same-origin-allow-popups` in the popup's own
   * page) the page loses the popup when the flow's page arrives in it: `closed` reads `true` while the
   * window stays open on a live session. It cannot be told apart from a close for sure; what tells is
   * when: a window closed before the flow showed any sign of life (an accepted message, a readable
   * location) and within {@link SEVER_WINDOW_MS} of being sent to the flow is taken as cut off. Then a
   * status endpoint can still tell the end; without one, `popup-severed` says what happened.
   */
  #watchPopup(run: Run, popup: Window): void {
    if (run.ended || run.via || run.severed) return;
    if (popup.closed) {
      if (run.loaded || performance.now() - run.navigatedAt! > SEVER_WINDOW_MS) this.#cancel('popup-closed');
      else this.#sever(run);
      return;
    }
    let href: string | undefined;
    let blank = false;
    try {
      href = popup.location.href;
      blank = href === 'about:blank' || popup.document.readyState !== 'complete';
    } catch {
      href = undefined; // cross-origin: the flow is there
    }
    if (blank) return;
    if (!run.loaded) this.#flowLoaded(run);
    if (href !== undefined) this.#checkLocation(run, href);
  }

  /** The popup was cut off from the page: wait by status, or say so. */
  #sever(run: Run): void {
    if (!this.statusEndpoint) {
      this.#fail(run, new FlowError('popup-severed', 'The page lost its popup (COOP)'));
      return;
    }
    run.severed = true;
    this.requestUpdate();
    this.#loadView();
    this.#schedulePoll(run);
  }

  /**
   * Makes the frame, points it at the flow and puts it in the box, which starts its navigation at once;
   * when the box is not rendered yet, `updated()` puts it there.
   *
   * The frame is made here rather than by the template. An iframe that is moved in the DOM loads again,
   * so it must stay put while the template around it changes: it goes before the box's overlay, outside
   * anything the template manages. And a rendered frame would start loading a microtask and a template
   * instantiation after the session arrived, which was most of what the element added to the time until
   * the flow starts loading (`npm run bench`).
   */
  #showFrame(run: Run, url: URL): void {
    const frame = document.createElement('iframe');
    frame.className = 'frame';
    frame.setAttribute('part', 'frame');
    frame.allow = 'camera; microphone; fullscreen; clipboard-write';
    frame.referrerPolicy = 'strict-origin-when-cross-origin';
    frame.title = textsFor(run.locale).frameTitle;
    frame.addEventListener('load', () => this.#onFrameLoad(run));
    frame.src = url.href;
    run.frame = frame;
    this.renderRoot.querySelector('.frame-box')?.prepend(frame);
    // After the flow frame's request is made: it can take over a connection the warm-up is still opening.
    this.#endWarmUp();
  }

  /** The window the flow runs in, if it is open. */
  #flowWindow(run: Run): Window | null {
    return run.popup ?? run.frame?.contentWindow ?? null;
  }

  #onFrameLoad(run: Run): void {
    if (run.ended || this.#run !== run || !run.session || !run.url) return;
    run.loads += 1;
    // The flow's first message may come before its frame's first load, and counts as loaded already.
    if (run.loads === 1) {
      if (!run.loaded) this.#flowLoaded(run);
    } else {
      this.#pollNow(run); // a later load may be the cross-origin redirect to /finished
    }
    const href = readableLocation(run.frame?.contentWindow);
    if (href !== undefined) this.#checkLocation(run, href);
  }

  #flowLoaded(run: Run): void {
    run.loaded = true;
    this.#setState('active');
    emit(this, 'flow-loaded', { sessionId: run.session!.id, url: run.url!.href });
    this.#schedulePoll(run);
  }

  /** A readable location on the finished page ends the flow. */
  #checkLocation(run: Run, href: string): void {
    if (isFinishedUrl(href, run.location!.finished.href)) this.#finish(run, 'navigation');
  }

  #onMessage(run: Run, event: MessageEvent): void {
    if (run.ended || run.via || !run.url || !run.session) return;
    const source = this.#flowWindow(run);
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
        this.#complete(run, run.via ?? 'status', status, result);
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
    run.frame?.remove();
    run.frame = undefined;
    run.popup?.close();
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
  }

  /** Ends everything the run started; a start still waiting resolves with `undefined`. */
  #endRun(run: Run): void {
    if (run.ended) return;
    run.ended = true;
    clearTimeout(run.pollTimer);
    clearTimeout(run.confirmTimer);
    run.controller.abort();
    // At once rather than at the next render: the flow stops now, and a new start's frame never shares
    // the box with this one.
    run.frame?.remove();
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

  #loadView(): void {
    this.#viewLoading ??= import('./deferred.js').then(
      (view) => void (this._view = view),
      (error: unknown) => {
        this._view = null;
        // A host that serves the CDN file alone: the person sees no text, so the developer must hear of it.
        console.error('<biometric-flow>: its texts (biometric-flow-deferred.js) did not load; serve that file beside biometric-flow.js', error);
      },
    );
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

  /** Whether the current start shows its flow in the dialog right now. */
  #inDialog(): boolean {
    const run = this.#run;
    return (
      run !== undefined &&
      !run.ended &&
      run.mode === 'modal' &&
      (this._state === 'requesting' || this._state === 'loading' || this._state === 'active')
    );
  }

  override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // A state attribute set from outside is not the element's state; put it back.
    this.#reflectState();
    const run = this.#run;
    const frame = run?.frame;
    if (run && frame && !run.ended) {
      frame.title = textsFor(this.resolvedLocale).frameTitle; // the locale may have changed
      if (!frame.isConnected) this.renderRoot.querySelector('.frame-box')?.prepend(frame);
    }
    // Queried rather than kept in a ref: a removed dialog must read as gone.
    const dialog = this.renderRoot.querySelector<HTMLDialogElement>('dialog');
    if (dialog && !dialog.open && this.isConnected) {
      this.#savedOverflow = document.documentElement.style.overflow;
      document.documentElement.style.overflow = 'hidden';
      this.#dialogOpen = true;
      dialog.showModal();
    } else if (!dialog && this.#dialogOpen) {
      this.#afterDialog(true);
    }
  }

  /** Undoes what opening the dialog did: page scroll back, focus back on the trigger. */
  #afterDialog(restoreFocus: boolean): void {
    if (!this.#dialogOpen) return;
    this.#dialogOpen = false;
    document.documentElement.style.overflow = this.#savedOverflow;
    const previous = this.#returnFocus;
    this.#returnFocus = undefined;
    if (!restoreFocus) return;
    if (previous?.isConnected && previous !== document.body && previous.getClientRects().length > 0) previous.focus();
    // A deferred view is focused once it is there.
    else if (this._view === undefined && this.#viewLoading) this.#focusResult();
    else this.#focusTarget()?.focus();
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
      >${this._offer}`;
  }

  /**
   * The flow's box: the same template from the session request until the flow is shown, so that the box
   * and the frame in it (put there by {@link #showFrame}, not by the template) stay where they are.
   */
  #renderFlow(texts: Texts, run: Run): TemplateResult {
    const technologies = run.session?.technologies ?? [];
    const confirming = this._state === 'confirming';
    const step = confirming
      ? this._view?.text(this.resolvedLocale, 'confirming')
      : this._step >= 0 && technologies.length > 0
        ? (this._view?.stepText(this.resolvedLocale, technologies, this._step) ?? '')
        : '';
    return html`<div class="frame-box">
        ${this._state === 'active'
          ? nothing
          : this._state === 'requesting'
            ? html`<div class="overlay" role="status">
                <slot name="loading"><span class="spinner" aria-hidden="true"></span>${texts.requesting}</slot>
              </div>`
            : confirming
              ? // The live region below says what is going on.
                html`<div class="overlay"><span class="spinner" aria-hidden="true"></span></div>`
              : html`<div class="overlay" role="status"><span class="spinner" aria-hidden="true"></span>${texts.loading}</div>`}
      </div>
      <div part="status" class="status" role="status" aria-live="polite" tabindex="-1" data-focus-after-dialog>${step}</div>`;
  }

  #renderDialog(texts: Texts, run: Run): TemplateResult {
    return html`<dialog
      part="dialog"
      class="dialog"
      aria-label=${texts.frameTitle}
      @cancel=${() => this.#cancel('escape')}
    >
      <div class="dialog-bar">
        <button part="close-button" class="close" type="button" aria-label=${texts.close} @click=${() => this.#cancel('close-button')}>
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M3 3l10 10M13 3L3 13" /></svg>
        </button>
      </div>
      <div class="dialog-body">${this.#renderFlow(texts, run)}</div>
    </dialog>`;
  }

  #renderBody(texts: Texts, run: Run | undefined): TemplateResult | typeof nothing {
    const locale = this.resolvedLocale;
    const view = this._view;
    switch (this._state) {
      case 'idle':
        return this.#renderTrigger(texts.start);
      case 'cancelled':
        return html`${this.#renderTrigger(texts.start)} ${this.#deferred((view) => view.cancelledView(this.resolvedLocale))}`;
      case 'requesting':
      case 'loading':
      case 'active':
        if (!run) return nothing;
        if (run.mode === 'modal') return html`<p class="message" role="status">${view?.text(locale, 'inProgress')}</p>`;
        if (run.mode === 'popup' && run.popup) {
          const popup = run.popup;
          // A severed popup cannot be brought forward from here; the person can still stop waiting.
          return html`<p class="message" role="status">${view?.text(locale, 'inPopup')}</p>
            ${this.#deferred(
              (view) => html`<button
                part="trigger"
                class="trigger"
                type="button"
                @click=${() => (run.severed ? this.#cancel('close-button') : popup.focus())}
              >
                ${view.text(locale, run.severed ? 'cancel' : 'showPopup')}
              </button>`,
            )}`;
        }
        return this.#renderFlow(texts, run);
      case 'confirming':
        if (!run) return nothing;
        return run.mode === 'inline'
          ? this.#renderFlow(texts, run)
          : html`<p part="status" class="message" role="status" tabindex="-1" data-focus-after-dialog>
              <span class="spinner" aria-hidden="true"></span>${view?.text(locale, 'confirming')}
            </p>`;
      case 'finished':
        return html`<slot name="finished"
          >${this.#deferred((view) =>
            view.finishedView(this.resolvedLocale, run?.outcome ?? 'unconfirmed', run?.last?.result, texts.retry, () => {
              this.reset();
              void this.start();
            }),
          )}</slot
        >`;
      case 'error': {
        const error = this._error;
        return html`<slot name="error">${this.#deferred((view) => view.errorView(this.resolvedLocale, error))}</slot>
          ${error?.retryable
            ? html`<button part="trigger" class="trigger" type="button" @click=${() => void this.start()}>
                ${texts.retry}
              </button>`
            : nothing}`;
      }
    }
  }

  /**
   * What `render` makes of the deferred module; a spinner until it is there, never a text that might be
   * the wrong one; nothing if it could not be loaded.
   */
  #deferred(render: (view: Deferred) => TemplateResult): TemplateResult | typeof nothing {
    const view = this._view;
    return view ? render(view) : view === undefined ? html`<span class="spinner" aria-hidden="true"></span>` : nothing;
  }

  override render(): TemplateResult {
    const locale = this.resolvedLocale;
    const texts = textsFor(locale);
    const run = this.#run;
    return html`<div part="base" class="base" lang=${locale}>${this.#renderBody(texts, run)}</div>
      ${run && this.#inDialog() ? this.#renderDialog(texts, run) : nothing}`;
  }
}
