import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { createRef, ref } from 'lit/directives/ref.js';
import { styles } from './biometric-flow-element.styles.js';
import { defaultIsFinishMessage, progressOf, readableLocation, type FinishMessageRecogniser } from './completion.js';
import { FlowError } from './errors.js';
import {
  emit,
  type CancelReason,
  type FinishedDetail,
  type FinishedVia,
  type FlowState,
  type Session,
} from './events.js';
import { flowLocation, flowUrl, type FlowLocation } from './flow-url.js';
import { errorText, matchLocale, stepText, textsFor, type Locale } from './locales.js';
import { preflight } from './preflight.js';
import { flowMessageSchema, sessionIdSchema } from './schemas.js';
import { requestSession } from './session.js';

/** How the flow is shown. */
export type FlowMode = 'inline' | 'modal' | 'popup';

const DEFAULT_TIMEOUT_MS = 15_000;

/** One start: everything it sets up ends through its controller. */
interface Run {
  readonly controller: AbortController;
  readonly promise: Promise<Session | undefined>;
  readonly resolve: (session: Session | undefined) => void;
  /** Set once the run ended in any way; nothing it started may act after that. */
  ended: boolean;
  session?: Session;
  location?: FlowLocation;
  url?: URL;
  /** Frame `load` events seen so far. */
  loads: number;
  /** Index of the technology the flow is on, from its progress messages. */
  step: number;
}

function newRun(): Run {
  let resolve!: (session: Session | undefined) => void;
  const promise = new Promise<Session | undefined>((r) => (resolve = r));
  return { controller: new AbortController(), promise, resolve, ended: false, loads: 0, step: -1 };
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

/** Field names that mean a vendor API key was handed to the browser. */
const API_KEY_NAMES = ['apiKey', 'api_key', 'apikey'];

/**
 * Shows a Biometric.Vision verification flow for a session that the host's own backend creates, and
 * tells the page when the flow ended. The vendor API key never reaches the browser.
 *
 * @summary An identity-verification flow (liveness, eGov documents, document recognition, face
 * comparison) in an iframe, a modal dialog or a popup.
 * @tag biometric-flow
 *
 * @attr {'idle'|'requesting'|'loading'|'active'|'finished'|'cancelled'|'error'} state - Read-only, reflected: where the element is.
 *
 * @slot trigger - Replaces the default start button; a click on it starts the flow.
 * @slot loading - Shown while the session is requested.
 * @slot finished - Shown once the flow ended.
 * @slot error - Shown after a `flow-error`.
 *
 * @fires {SessionCreatedDetail} session-created - The endpoint answered with a valid session (or `session-id` was given).
 * @fires {FlowLoadedDetail} flow-loaded - The frame or popup finished loading the flow.
 * @fires {FlowMessageDetail} flow-message - Every accepted message from the flow.
 * @fires {FinishedDetail} finished - The flow ended. A UX signal, not the verdict: ask your server for the result.
 * @fires {CancelledDetail} cancelled - The user or the host stopped the flow.
 * @fires {FlowErrorDetail} flow-error - Anything that went wrong; nothing is ever thrown at the host.
 * @fires {StateChangeDetail} state-change - Every state transition.
 *
 * @csspart base - The element's box.
 * @csspart trigger - The default start button.
 * @csspart frame - The iframe that shows the flow.
 * @csspart dialog - The `<dialog>` of modal mode.
 * @csspart close-button - The dialog's close button.
 * @csspart status - The live region that tells which step the person is on.
 *
 * @cssprop [--biometric-flow-height=640px] - Height of the inline frame.
 * @cssprop [--biometric-flow-radius=12px] - Corner radius of the frame, dialog and buttons.
 * @cssprop [--biometric-flow-backdrop=rgb(0 0 0 / 0.6)] - The modal dialog's backdrop.
 * @cssprop [--biometric-flow-accent=#1f5fd6] - Colour of the start button and focus rings.
 */
export class BiometricFlowElement extends LitElement {
  static override styles = styles;

  /** Host URL (relative is fine) that creates a session: POST `{ locale, context }` → `{ session_id, technologies }`. */
  @property({ attribute: 'session-endpoint' }) sessionEndpoint?: string;

  /** A session the host already created; when set, no session request is made. */
  @property({ attribute: 'session-id' }) sessionId?: string;

  /** Optional host URL answering `GET ?session_id=<id>` with `{ session_id, status, result? }`. */
  @property({ attribute: 'status-endpoint' }) statusEndpoint?: string;

  /** How the flow is shown: `inline` (in the element's box), `modal` (a native dialog) or `popup` (a new window). */
  @property() mode: FlowMode = 'inline';

  /** `ru`, `kk` or `en`; when unset, the nearest `lang`, else `ru`. */
  @property() locale?: string;

  /** Where `/flow/<id>` lives. */
  @property({ attribute: 'flow-base-url' }) flowBaseUrl?: string;

  /** The page the flow ends on; default `<flow-base-url>/finished`. */
  @property({ attribute: 'finished-url' }) finishedUrl?: string;

  /** Start as soon as the element is connected, instead of showing a start button. */
  @property({ type: Boolean }) autostart = false;

  /** Milliseconds the session request may take. */
  @property({ type: Number }) timeout = DEFAULT_TIMEOUT_MS;

  /** What to do when the popup is blocked: `modal` shows the flow in a dialog instead, `none` stops. */
  @property({ attribute: 'popup-fallback' }) popupFallback: 'modal' | 'none' = 'modal';

  /** JSON-able value sent to the session endpoint as `context`. */
  @property({ attribute: false }) context: unknown;

  /** Merged into the session request's `fetch` options (headers, credentials, ...). */
  @property({ attribute: false }) requestInit?: RequestInit;

  /** Replaces the default recogniser of finish messages; gets the validated data and the raw event. */
  @property({ attribute: false }) isFinishMessage?: FinishMessageRecogniser;

  @state() private _state: FlowState = 'idle';
  @state() private _error?: FlowError;
  @state() private _step = -1;

  #run?: Run;
  #preconnect?: HTMLLinkElement;
  readonly #frame = createRef<HTMLIFrameElement>();

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
    this.#reflectState();
    if (this.autostart) {
      // After the first update, so that properties a framework sets right after insertion are seen.
      void this.updateComplete.then(() => {
        if (this.isConnected && this.autostart && this._state === 'idle') void this.start();
      });
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
   * While a start is under way, returns that start's promise: one session request per start.
   *
   * @returns resolves with the session once the flow is being shown, or with `undefined` when the start
   * ends before that in `flow-error` or `cancelled`. Never rejects.
   */
  start(): Promise<Session | undefined> {
    if (this.#run && !this.#run.ended) return this.#run.promise;
    const run = newRun();
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

  async #execute(run: Run): Promise<void> {
    try {
      this.#refuseApiKey();
      const problem = preflight(window);
      if (problem) throw problem;
      run.location = flowLocation({
        baseUrl: this.flowBaseUrl,
        finishedUrl: this.finishedUrl,
        documentBase: document.baseURI,
      });

      let session: Session;
      if (this.sessionId) {
        const id = sessionIdSchema.safeParse(this.sessionId);
        if (!id.success) throw new FlowError('session-invalid-response', 'session-id is not a UUID');
        session = { id: id.data, technologies: [] };
      } else {
        if (!this.sessionEndpoint) {
          throw new FlowError('missing-endpoint', 'Set session-endpoint (or session-id) before starting');
        }
        this.#setState('requesting');
        this.#addPreconnect(run.location.base.origin);
        try {
          session = await requestSession({
            endpoint: this.sessionEndpoint,
            locale: this.resolvedLocale,
            context: this.context,
            requestInit: this.requestInit,
            timeoutMs: Number.isFinite(this.timeout) && this.timeout > 0 ? this.timeout : DEFAULT_TIMEOUT_MS,
            signal: run.controller.signal,
          });
        } finally {
          this.#removePreconnect();
        }
      }
      if (run.ended) return;

      run.session = session;
      run.url = flowUrl(run.location, session.id, this.resolvedLocale);
      emit(this, 'session-created', { sessionId: session.id, technologies: session.technologies });
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

  /** The window the flow runs in, if it is open. */
  #flowWindow(): Window | null {
    return this.#frame.value?.contentWindow ?? null;
  }

  #onFrameLoad(run: Run): void {
    if (run.ended || this.#run !== run || !run.session || !run.url) return;
    run.loads += 1;
    if (run.loads === 1) {
      this.#setState('active');
      emit(this, 'flow-loaded', { sessionId: run.session.id, url: run.url.href });
    }
    this.#checkNavigation(run);
  }

  /** A readable location on the finished URL ends the flow. */
  #checkNavigation(run: Run): void {
    if (run.ended || !run.location) return;
    const href = readableLocation(this.#flowWindow());
    if (href?.startsWith(run.location.finished.href)) this.#finish(run, 'navigation');
  }

  #onMessage(run: Run, event: MessageEvent): void {
    if (run.ended || !run.url) return;
    const source = this.#flowWindow();
    if (event.origin !== run.url.origin || source === null || event.source !== source) return;
    const parsed = flowMessageSchema.safeParse(event.data);
    if (!parsed.success) return;
    emit(this, 'flow-message', { data: parsed.data, origin: event.origin });
    if (run.ended) return;

    const progress = progressOf(parsed.data);
    if (progress && run.session) {
      const index = run.session.technologies.indexOf(progress.code);
      if (index >= 0) {
        run.step = index;
        this._step = index;
      }
    }
    if (this.#recognisesFinish(run, parsed.data, event)) this.#finish(run, 'message');
  }

  #recognisesFinish(run: Run, data: unknown, event: MessageEvent): boolean {
    if (!this.isFinishMessage) {
      return defaultIsFinishMessage(data as Parameters<typeof defaultIsFinishMessage>[0], run.location!.finished.href);
    }
    try {
      return this.isFinishMessage(data, event) === true;
    } catch (error) {
      // A host's recogniser that throws must not break the flow; it simply did not recognise the message.
      console.error('<biometric-flow>: isFinishMessage threw', error);
      return false;
    }
  }

  #finish(run: Run, via: FinishedVia, extra: Pick<FinishedDetail, 'status' | 'result'> = {}): void {
    if (run.ended || !run.session) return;
    this.#endRun(run);
    this.#setState('finished');
    emit(this, 'finished', { sessionId: run.session.id, technologies: run.session.technologies, via, ...extra });
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
    emit(this, 'flow-error', {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.cause === undefined ? {} : { cause: error.cause }),
    });
  }

  /** Ends everything the run started; a start still waiting resolves with `undefined`. */
  #endRun(run: Run): void {
    if (run.ended) return;
    run.ended = true;
    run.controller.abort();
    this.#removePreconnect();
    run.resolve(undefined);
  }

  #setState(next: FlowState): void {
    const previous = this._state;
    if (previous === next) return;
    this._state = next;
    this.#reflectState();
    emit(this, 'state-change', { state: next, previous });
  }

  #reflectState(): void {
    if (this.getAttribute('state') !== this._state) this.setAttribute('state', this._state);
  }

  #addPreconnect(origin: string): void {
    if (origin === location.origin) return;
    const link = document.createElement('link');
    link.rel = 'preconnect';
    link.href = origin;
    document.head.append(link);
    this.#preconnect = link;
  }

  #removePreconnect(): void {
    this.#preconnect?.remove();
    this.#preconnect = undefined;
  }

  override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // A state attribute set from outside is not the element's state; put it back.
    this.#reflectState();
  }

  #renderTrigger(label: string): TemplateResult {
    return html`<slot name="trigger" @click=${() => void this.start()}
      ><button part="trigger" class="trigger" type="button">${label}</button></slot
    >`;
  }

  #renderFrame(run: Run): TemplateResult {
    const texts = textsFor(this.resolvedLocale);
    const technologies = run.session?.technologies ?? [];
    const step = this._step >= 0 && technologies.length > 0 ? stepText(texts, technologies, this._step) : '';
    return html`
      <div class="frame-box">
        <iframe
          ${ref(this.#frame)}
          part="frame"
          class="frame"
          allow="camera; microphone; fullscreen; clipboard-write"
          referrerpolicy="strict-origin-when-cross-origin"
          title=${texts.frameTitle}
          src=${run.url!.href}
          @load=${() => this.#onFrameLoad(run)}
        ></iframe>
        ${this._state === 'loading'
          ? html`<div class="overlay"><span class="spinner" aria-hidden="true"></span>${texts.loading}</div>`
          : nothing}
      </div>
      <div part="status" class="status" role="status" aria-live="polite">${step}</div>
    `;
  }

  override render(): TemplateResult {
    const texts = textsFor(this.resolvedLocale);
    const run = this.#run;
    let body: TemplateResult | typeof nothing = nothing;
    switch (this._state) {
      case 'idle':
        body = this.#renderTrigger(texts.start);
        break;
      case 'cancelled':
        body = html`${this.#renderTrigger(texts.start)}
          <p class="message" role="status">${texts.cancelled}</p>`;
        break;
      case 'requesting':
        body = html`<slot name="loading"
          ><p class="message" role="status"><span class="spinner" aria-hidden="true"></span>${texts.requesting}</p></slot
        >`;
        break;
      case 'loading':
      case 'active':
        body = run?.url ? this.#renderFrame(run) : nothing;
        break;
      case 'finished':
        body = html`<slot name="finished"><p class="message" role="status">${texts.finished}</p></slot>`;
        break;
      case 'error': {
        const error = this._error;
        body = html`<slot name="error"
            ><p class="message error" role="alert">${error ? errorText(texts, error.code) : texts.errors.generic}</p></slot
          >
          ${error?.retryable
            ? html`<button part="trigger" class="trigger" type="button" @click=${() => void this.start()}>
                ${texts.retry}
              </button>`
            : nothing}`;
        break;
      }
    }
    return html`<div part="base" class="base" lang=${this.resolvedLocale}>${body}</div>`;
  }
}
