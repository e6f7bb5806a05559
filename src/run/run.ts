// One start: its states and transitions, in one place. A start goes
//
//   begin → request (`requesting`) → show (`loading`) → loaded (`active`) → saw the end (`confirming`,
//   with a status endpoint) → settle (`finished`, `cancelled` or `error`)
//
// and may settle from any state on the way (`cancel`, `fail`); `end` stops it without an event (reset,
// disconnect). Everything it starts (requests, listeners, timers, the presenter, the warm-up) ends through
// its one AbortController. A start writes to the element only while it is live: not ended, and still the
// element's current start (`shell.current()`), so that a start another one replaced writes nothing.
//
// Written as one closure over the start's state rather than a class: the minifier shortens its names.
import type { FlowConfig, FlowMode } from '../configuration.js';
import { defaultIsFinishMessage, isFinishedUrl, progressCode, type FinishMessageRecogniser } from '../completion.js';
import { FlowError } from '../errors.js';
import { emit, type CancelReason, type FinishedDetail, type FinishedOutcome, type FinishedVia, type FlowState, type Session, type SessionCreatedDetail } from '../events.js';
import { flowLocation, flowUrl, type FlowLocation } from '../flow-url.js';
import type { Handoff, HandoffKind } from '../handoff/handoff.js';
import { lazy, type Chunk } from '../lazy.js';
import type { Locale } from '../locales.js';
import { requestSession } from '../net/session-request.js';
import { requestStatus } from '../net/status-request.js';
import { preflight, refusesFrame } from '../preflight.js';
import { choosePresenter, popupFallsBack } from '../presenters/choose.js';
import type { Presenter, PresenterHost } from '../presenters/types.js';
import type { FlowMessage } from '../schemas.js';
import { startWarmUp, takeAhead, warmUrl } from '../warm-up.js';

type Deferred = Chunk<'deferred'>;
type Checks = Chunk<'session'>;

/** Field names that mean a vendor API key was handed to the browser. */
const API_KEY_NAMES = ['apiKey', 'api_key', 'apikey'];

/** What a start reads of the element, live: its configuration as it is when each step looks. */
export interface RunConfig extends FlowConfig {
  readonly sessionId?: string;
  readonly statusToken?: string;
  readonly finishedUrl?: string;
  readonly resume: boolean;
  readonly popupFallback: string;
  readonly warmUrl?: string;
  readonly context: unknown;
  readonly isFinishMessage?: FinishMessageRecogniser;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/** What the element does for a start: its state, reports, views and chunks, focus. */
export interface RunShell {
  readonly element: RunConfig;
  /** Milliseconds the session request may take (`timeout`, or its default). */
  timeoutMs(): number;
  /** Milliseconds a finish seen in the browser waits for a final status (`confirm-timeout`, or its default). */
  confirmMs(): number;
  /** The element's current start: a start that is not it writes nothing. */
  current(): Run | undefined;
  setState(state: FlowState): void;
  /** Fires `flow-error` (and tells a configuration mistake in the console). */
  report(error: FlowError): void;
  /** The start ended in `error`: the element keeps the error for its view. */
  failed(error: FlowError): void;
  /** The technology the flow is on (its index in the session's technologies). */
  step(index: number): void;
  later(): Deferred | null | undefined;
  loadLater(): Promise<Deferred | null>;
  handoff(): Handoff | null | undefined;
  loadHandoff(): Promise<Handoff | null> | undefined;
  /** The start's presenter is made: the element tells it of every render. */
  shown(presenter: Presenter): void;
  changed(): void;
  /** Moves focus to what the element shows once it rendered (and its deferred view is there). */
  focusResult(): void;
  /** Focus back to the element's trigger or result when a dialog went. */
  restoreFocus(): void;
}

/** One start, as the element sees it. */
export interface Run {
  /** Resolves with the session once the flow is being shown, or `undefined` when the start ends before. */
  readonly promise: Promise<Session | undefined>;
  readonly ended: boolean;
  readonly session: Session | undefined;
  readonly presenter: Presenter | undefined;
  /** The verdict once `finished` fired. */
  readonly outcome: FinishedOutcome | undefined;
  /** The last status answer's result. */
  readonly result: unknown;
  /** Starts it: called once the element holds it as its current start. */
  begin(): void;
  /** Settles it as `cancelled` (the person or the host stopped it). */
  cancel(reason: CancelReason): void;
  /** Ends everything it started, without an event; a start still waiting resolves with `undefined`. */
  end(): void;
}

/** Whether the page's user activation allows opening a popup right now. */
function hasUserActivation(): boolean {
  return (navigator as Navigator & { userActivation?: { isActive: boolean } }).userActivation?.isActive ?? false;
}

/** Refuses an element that was given a vendor API key: nothing is sent. */
function refuseApiKey(element: RunConfig): void {
  const context = element.context;
  const inContext = typeof context === 'object' && context !== null && API_KEY_NAMES.some((name) => Object.hasOwn(context, name));
  if (element.hasAttribute('api-key') || API_KEY_NAMES.some((name) => Object.hasOwn(element, name)) || inContext) {
    throw new FlowError('api-key-exposed', 'An API key was given to the browser element. Keep it on your server: see biometric-flow/server');
  }
}

/**
 * One start of the element `shell` serves, in `mode` (a blocked popup or the camera policy may change
 * it) and `locale` (fixed for the start).
 */
export function createRun(shell: RunShell, mode: FlowMode, locale: Locale): Run {
  const el = shell.element;
  const controller = new AbortController();
  const signal = controller.signal;
  let resolve!: (session: Session | undefined) => void;
  const promise = new Promise<Session | undefined>((r) => (resolve = r));
  /** Set once the start ended in any way: nothing it started may act after that. */
  let ended = false;
  let session: Session | undefined;
  /** The session chunk: the answer's check, the flow's messages, the status poller; there before `session` is. */
  let checks: Checks | undefined;
  /** With `resume`: the session kept from before a reload, when the start shows it again (see src/resume.ts). */
  let resumed: Session | undefined;
  /** Where the flow and its finished page are. */
  let where: FlowLocation;
  let url: URL | undefined;
  /** How the flow is shown, once made (a lazily loaded one comes later: see `presenting`). */
  let presenter: Presenter | undefined;
  let presenting: Promise<Presenter> | undefined;
  /** Whether the flow's window showed a sign of life (its first load, an accepted message). */
  let loaded = false;
  /** Loads of the flow's window seen so far. */
  let loads = 0;
  /** How the browser saw the end, once it did: the start then waits for a final status (`confirming`). */
  let via: FinishedVia | undefined;
  let confirmTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last status answer, kept for a `finished` that comes without a final one. */
  let last: { status: string; result: unknown } | undefined;
  let outcome: FinishedOutcome | undefined;
  /** Whether the flow went out of the page's sight (a popup cut off by the opener policy): only status can tell its end. */
  let severed = false;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let pollDelay: number | undefined;
  /** Whether a status request is under way: never two at once, so no answer overtakes another. */
  let polling = false;
  /** Whether a failing status request was reported already (once per start is enough). */
  let statusErrorReported = false;
  /** Stops the connection warm-up. */
  let stopWarmUp: (() => void) | undefined;

  const run: Run = {
    promise,
    get ended() {
      return ended;
    },
    get session() {
      return session;
    },
    get presenter() {
      return presenter;
    },
    get outcome() {
      return outcome;
    },
    get result() {
      return last?.result;
    },
    begin: () => void begin(),
    cancel,
    end: () => end(),
  };
  /** Whether this start may still write to the element. */
  const live = () => !ended && shell.current() === run;

  // ——— begin → request → show ———

  /** Session → presenter → (the ending, through the listeners it sets up) → event. */
  async function begin(): Promise<void> {
    // Asked for at once (a popup's after its window: nothing may hold the window back), awaited once the
    // session answer is in: it loads while the session request is in flight.
    let checking: Promise<Checks> | undefined;
    const check = () => {
      if (!checking) {
        checking = lazy('session');
        // A chunk that did not load fails the start when it is awaited; no unhandled rejection before that.
        checking.catch(() => {});
      }
      return checking;
    };
    if (mode !== 'popup') check();
    try {
      refuseApiKey(el);
      const problem = preflight(window);
      if (problem?.code === 'camera-blocked-by-policy') {
        // A popup is a document of its own, outside this page's policy. From a click, tell the host and
        // go on there; a popup without a click would be blocked anyway.
        if (mode !== 'popup') {
          if (!hasUserActivation()) throw problem;
          shell.report(problem);
          mode = 'popup';
        }
      } else if (problem) {
        throw problem;
      }
      where = flowLocation({ baseUrl: el.flowBaseUrl, finishedUrl: el.finishedUrl, documentBase: document.baseURI });
      // A page whose Content-Security-Policy refuses the flow's frames (a flow-base-url it was not built
      // for): the first refusal, the warm-up's or else the flow's own, ends the start before a blocked frame stays.
      document.addEventListener('securitypolicyviolation', (event) => {
        if (refusesFrame(event, where.base.origin)) fail(new FlowError('flow-blocked-by-policy', 'Content-Security-Policy blocks the flow frame'));
      }, { signal });
      // Before anything is awaited: a popup opens inside the click. The handoff is decided before any session
      // request: a start that goes to the person's own browser needs none. Where the handoff sends the start
      // is known at once when its chunk is there and has looked at the camera, else once it has.
      const chunk = shell.handoff();
      let handoff = chunk ? chunk.decide() : shell.loadHandoff()?.then((loaded) => loaded?.decide());
      // A popup's window takes long to make: opened first, it held the session request back ~70 ms in
      // Chromium and ~300 ms in Firefox (npm run bench -- --network). So a popup start that surely needs a
      // session asks for it first, in the same click; not when the window may be blocked with nothing to
      // fall back on (no user activation and `popup-fallback="none"`): it would fail, a session asked for nothing.
      const early =
        mode === 'popup' && handoff === undefined && !el.sessionId && el.sessionEndpoint && !el.resume && (hasUserActivation() || popupFallsBack(el.popupFallback))
          ? ask()
          : undefined;
      // Awaited below, or never when the start fails first.
      early?.catch(() => {});
      handoff = present(handoff);
      check();
      // Awaited only when it is not known yet: the session request of any other start goes out within start().
      if (handoff instanceof Promise) handoff = await handoff;
      if (ended) return;
      if (handoff === 'browser') {
        await presenting;
        if (!ended) shell.setState('active');
        return resolve(undefined);
      }

      let created: Session | undefined;
      /** The session's fields as they came, checked once the session chunk is there. */
      let answer: unknown;
      if (el.sessionId) {
        answer = { session_id: el.sessionId, technologies: [], status_token: el.statusToken || undefined };
      } else {
        if (!el.sessionEndpoint) throw new FlowError('missing-endpoint', 'Set session-endpoint (or session-id) before starting');
        shell.setState('requesting');
        // `resume`: the session kept from before a reload, if any and alive; one past its time throws `session-expired`.
        if (el.resume) created = resumed = (await shell.loadLater())?.resumed(el);
        if (ended) return;
        if (!created) {
          const pending = early ?? ask();
          if (!handoff) warmUp();
          answer = await pending;
        }
      }
      if (ended) return;
      checks = await check();
      if (ended) return;
      created ??= checks.sessionOf(answer);
      const shown = presenter ?? (await presenting!);
      if (ended) return;
      show(shown, created);
    } catch (error) {
      if (ended) return;
      fail(error instanceof FlowError ? error : new FlowError('session-request-failed', String(error), { cause: error }));
    }
  }

  /** The session request (`session-endpoint`): its answer as it came, checked once the session chunk is there. */
  function ask(): Promise<unknown> {
    return requestSession({
      endpoint: el.sessionEndpoint!,
      locale,
      context: el.context,
      requestInit: el.requestInit,
      timeoutMs: shell.timeoutMs(),
      signal,
    });
  }

  /**
   * Makes the presenter (presenters/choose.ts) for `handoff`, where the handoff sends the start.
   *
   * @returns `handoff`.
   */
  function present(handoff: HandoffKind | undefined | Promise<HandoffKind | undefined>): typeof handoff {
    const made = choosePresenter(
      { get mode() { return mode; }, set mode(next) { mode = next; }, locale, controller },
      host(),
      handoff,
      shell.handoff,
      shell.later,
      el.popupFallback,
      shell.report,
    );
    if (made instanceof Promise) {
      // A presenter whose module is on its way: the start shows it once it is there.
      presenting = made.then((ready) => {
        if (!ended) {
          shell.shown((presenter = ready));
          shell.changed();
        }
        return ready;
      });
      // A module that does not come fails the start when it awaits it; no unhandled rejection before that.
      presenting.catch(() => {});
    } else {
      shell.shown((presenter = made));
    }
    return handoff;
  }

  /** The session is there: the flow shows (`loading`). */
  function show(shown: Presenter, created: Session): void {
    session = created;
    url = flowUrl(where, created.id, locale);
    // The flow starts loading before session-created: a slow listener does not hold it back, and one
    // that cancels still stops it.
    shown.show(url);
    if (ended) return; // the popup was closed while the session was requested
    const detail: SessionCreatedDetail = { sessionId: created.id, technologies: created.technologies };
    if (resumed) detail.resumed = true;
    emit(el, 'session-created', detail);
    if (ended) return;
    window.addEventListener('message', onMessage, { signal });
    shell.setState('loading');
    resolve(created);
  }

  /**
   * Warms the flow origin's connection while the session request is in flight, where the flow frame
   * will use it (see `warm-up.ts`); a popup is out of its reach.
   */
  function warmUp(): void {
    const target = warmUrl(el.warmUrl, where.base, document.baseURI);
    if (mode === 'popup' || target === undefined) return;
    // A press on the start button may have put it in already (see `warmOnPress`).
    stopWarmUp = takeAhead(el.renderRoot, target) ?? startWarmUp(target, el.renderRoot);
  }

  function endWarmUp(): void {
    stopWarmUp?.();
    stopWarmUp = undefined;
  }

  // ——— show → loaded; watching for the end ———

  /** What the presenter may do to the element: report what it sees, while the start is live. */
  function host(): PresenterHost {
    return {
      root: el.renderRoot,
      locale,
      signal,
      get loaded() {
        return loaded;
      },
      get session() {
        return session;
      },
      load: () => {
        if (!live() || !session || !url) return;
        loads += 1;
        // The flow's first message may come before its first load, and counts as loaded already.
        if (loads === 1) {
          if (!loaded) flowLoaded();
        } else {
          pollNow(); // a later load may be the cross-origin redirect to /finished
        }
        checkLocation();
      },
      moved: () => {
        if (live() && !via) checkLocation();
      },
      gone: (cutOff) => {
        if (!live() || via || severed) return;
        if (!cutOff) cancel('popup-closed');
        else if (!el.statusEndpoint) fail(new FlowError('popup-severed', 'The page lost its popup (COOP)'));
        else {
          // Out of sight, not over: wait by status.
          severed = true;
          shell.changed();
          schedulePoll();
        }
      },
      changed: shell.changed,
      cancel,
      restoreFocus: shell.restoreFocus,
    };
  }

  /** show → loaded (`active`). */
  function flowLoaded(): void {
    loaded = true;
    // Not before: Firefox drops a connection still being opened with the frame that asked for it, and the
    // flow's request waits for that connection (npm run bench -- --network: 405 → 272 ms at 80 ms RTT).
    endWarmUp();
    shell.setState('active');
    emit(el, 'flow-loaded', { sessionId: session!.id, url: url!.href });
    // A flow out of sight (a handoff) polls on its own schedule already.
    if (!severed) schedulePoll();
  }

  /** A readable location of the flow's window on the finished page ends the flow. */
  function checkLocation(): void {
    const href = presenter?.location();
    if (href !== undefined && isFinishedUrl(href, where.finished.href)) sawEnd('navigation');
  }

  function onMessage(event: MessageEvent): void {
    if (ended || via || !url || !session || !checks) return;
    const source = presenter?.flowWindow() ?? null;
    if (event.origin !== url.origin || source === null || event.source !== source) return;
    const data = checks.parseFlowMessage(event.data);
    // A message about another session (an earlier flow in the same window, say) says nothing of this one.
    if (data === undefined || (typeof data === 'object' && data.session_id !== undefined && data.session_id.toLowerCase() !== session.id.toLowerCase())) return;
    emit(el, 'flow-message', { data, origin: event.origin });
    if (ended) return;
    if (!loaded) flowLoaded(); // a popup's first message comes before its watcher looks

    const code = progressCode(data);
    const index = code === undefined ? -1 : (session?.technologies.indexOf(code) ?? -1);
    if (index >= 0) shell.step(index);
    if (recognisesFinish(data, event)) sawEnd('message');
  }

  function recognisesFinish(data: FlowMessage, event: MessageEvent): boolean {
    if (!el.isFinishMessage) return defaultIsFinishMessage(data, where.finished.href);
    try {
      return el.isFinishMessage(data, event) === true;
    } catch (error) {
      // A host's recogniser that throws must not break the flow; it simply did not recognise the message.
      console.error('<biometric-flow>: isFinishMessage threw', error);
      return false;
    }
  }

  // ——— the status endpoint ———

  /** Asks the status endpoint after the delay its schedule gives: open flow, severed popup or confirming. */
  function schedulePoll(): void {
    if (!el.statusEndpoint || !checks || ended || polling) return;
    clearTimeout(pollTimer);
    const { nextPollDelay, CONFIRM_POLLS, SEVERED_POLLS, OPEN_POLLS } = checks;
    pollDelay = nextPollDelay(pollDelay, via ? CONFIRM_POLLS : severed ? SEVERED_POLLS : OPEN_POLLS);
    pollTimer = setTimeout(() => void poll(), pollDelay);
  }

  function pollNow(): void {
    if (!el.statusEndpoint || ended || polling) return;
    clearTimeout(pollTimer);
    void poll();
  }

  /**
   * One status request; a final status settles the start. Nothing else changes state: a non-final status,
   * an error or an invalid answer only leads to the next request (an error reported once per start).
   */
  async function poll(): Promise<void> {
    const endpoint = el.statusEndpoint;
    if (!endpoint || !session || !checks || ended || polling) return;
    const { statusOf, CONFIRM_WAIT_SECONDS, FINAL_STATUSES, HELD_MS } = checks;
    polling = true;
    const asked = performance.now();
    const waited = via !== undefined;
    // Confirming asks again at once after an answer the endpoint held, or one asked before the end was seen.
    let again = false;
    try {
      const body = await requestStatus(endpoint, session, el.requestInit, signal, waited ? CONFIRM_WAIT_SECONDS : undefined);
      if (ended) return;
      const { status, result } = statusOf(body, session);
      last = { status, result };
      if (FINAL_STATUSES.has(status)) {
        settle(via ?? presenter?.via ?? 'status', status, result);
        return;
      }
      again = via !== undefined && (!waited || performance.now() - asked >= HELD_MS);
    } catch (error) {
      if (ended) return;
      if (error instanceof FlowError && !statusErrorReported) {
        // The flow goes on: the status endpoint is a second opinion, and polling keeps trying.
        statusErrorReported = true;
        shell.report(error);
      }
    } finally {
      polling = false;
    }
    if (again) pollNow();
    else schedulePoll();
  }

  // ——— saw the end → confirming → settle ———

  /**
   * The browser saw the flow end. Without a status endpoint that is all there is to know: `finished` with
   * outcome `unconfirmed`. With one, the start confirms: the flow is taken down (it has nothing more to
   * show) and the status endpoint is asked, backing off, until a final status or `confirm-timeout`.
   */
  function sawEnd(how: FinishedVia): void {
    if (ended || via || !session) return;
    if (!el.statusEndpoint) {
      settle(how);
      return;
    }
    via = how;
    // The person was in the flow's frame, which goes now: focus follows to "Checking your result…" in its
    // place (and from there to the verdict), not to the page's body. A dialog puts focus back itself.
    const inFrame = mode === 'inline' && !!el.shadowRoot?.activeElement;
    presenter?.close();
    confirmTimer = setTimeout(() => settle(how, last?.status, last?.result), shell.confirmMs());
    shell.setState('confirming');
    if (inFrame) shell.focusResult();
    // A request already under way is not asked twice; its answer counts and the next goes at once, held.
    pollDelay = undefined;
    pollNow();
  }

  /** Settles as `finished`, with what is known of the verdict. */
  function settle(how: FinishedVia, status?: string, result?: unknown): void {
    if (ended || !session || !checks) return;
    // Focus on the confirming message goes on to the verdict that replaces it.
    if (el.shadowRoot?.activeElement) shell.focusResult();
    end();
    outcome = checks.outcomeOf(status, result);
    shell.setState('finished');
    const detail: FinishedDetail = { sessionId: session.id, technologies: session.technologies, via: how, outcome };
    if (status !== undefined) detail.status = status;
    if (result !== undefined) detail.result = result;
    emit(el, 'finished', detail);
  }

  /** Settles as `cancelled`. */
  function cancel(reason: CancelReason): void {
    if (ended || shell.current() !== run) return;
    end();
    shell.setState('cancelled');
    emit(el, 'cancelled', session ? { sessionId: session.id, reason } : { reason });
  }

  /** Settles as `error`; a popup still blank says why (see presenters/popup-window.ts). */
  function fail(error: FlowError): void {
    end(shell.later()?.errorText(locale, error));
    shell.failed(error);
    shell.setState('error');
    shell.report(error);
  }

  /** Ends what the start started; `reason` is the abort's (a sentence for a window that is still blank). */
  function end(reason?: string): void {
    if (ended) return;
    ended = true;
    clearTimeout(pollTimer);
    clearTimeout(confirmTimer);
    controller.abort(reason);
    presenter?.close();
    endWarmUp();
    resolve(undefined);
  }

  return run;
}
