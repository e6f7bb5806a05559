// How a flow is shown is a presenter: one small interface between the element, which orchestrates a start
// (session → presenter → ending → event), and the way the flow reaches the person (a frame in the
// element's box, a dialog, a popup, another device). A presenter knows nothing of session requests,
// statuses or events; the element knows nothing of frames, windows or dialogs.
import type { nothing, TemplateResult } from 'lit';
import type { CancelReason, FinishedVia, FlowState, Session } from '../events.js';
import type { TextKey } from '../i18n/deferred.js';
import type { Locale, Texts } from '../locales.js';

/** The short texts a presenter shows beside the flow, from the deferred chunk (src/i18n/sentences.ts). */
export interface PresenterTexts {
  text(locale: Locale, key: TextKey): string;
}

/** What the element gives the presenter of one start, and how the presenter tells it what happened. */
export interface PresenterHost {
  /** The element's render root: where the flow's box is; `isConnected` while the element is. */
  readonly root: HTMLElement | DocumentFragment;
  /** The locale of this start: the flow's, and the texts a presenter writes outside the element. */
  readonly locale: Locale;
  /** Aborts when the start ends in any way: every listener and timer of the presenter ends with it. */
  readonly signal: AbortSignal;
  /** Whether the flow has shown a sign of life yet: a load, an accepted message. */
  readonly loaded: boolean;
  /** The start's session (id, technologies, status token), there by the time `show` is called. */
  readonly session: Session | undefined;
  /**
   * A page loaded in the flow's window: the first is the flow, a later one may be the finished page
   * (a frame's cross-origin redirect shows up only as such a load). The element reads `location()` then.
   */
  load(): void;
  /** The flow's window may be on another page without a load this page sees (a popup): the element reads `location()`. */
  moved(): void;
  /**
   * The flow's window is gone: closed by the person; or, `severed`, out of this page's sight while the flow
   * goes on (a popup cut off by the opener policy, a flow continued on another device), so that only the
   * status endpoint can tell its end (without one, `severed` fails the start with `popup-severed`).
   */
  gone(severed: boolean): void;
  /** The presenter's own view changed: the element renders again. */
  changed(): void;
  /** The person stops the flow from the presenter's controls (a close button, Escape). */
  cancel(reason: CancelReason): void;
  /** Moves focus to what the element shows in place of a dialog once it is rendered: its trigger or its result. */
  restoreFocus(): void;
}

/** What the element gives a presenter to render with, once per render. */
export interface PresenterView {
  /** `requesting`, `loading`, `active` or `confirming`: a presenter renders only while a start shows. */
  readonly state: FlowState;
  /** The element's locale now, and its texts. */
  readonly locale: Locale;
  readonly texts: Texts;
  /** The deferred chunk's texts, once loaded (`undefined` before, `null` when it could not be). */
  readonly later: PresenterTexts | null | undefined;
  /** What the step line under the flow says: the step the person is on, or that the result is being checked. */
  readonly step: string | undefined;
}

/**
 * One way of showing the flow, for one start. Made when the start begins (a popup must be opened inside the
 * click, a dialog shows while the session is requested), or later by an async factory whose module is
 * loaded on demand; the element awaits it before `show`.
 */
export interface Presenter {
  /** Shows the flow at `url`. A window that is gone already says so through `host.gone`. */
  show(url: URL): void;
  /** The window the flow runs in, when this page can see it: messages are accepted from it alone. */
  flowWindow(): Window | null;
  /** The location of the flow's window when it can be read (same origin, not blank), else `undefined`. */
  location(): string | undefined;
  /** Takes the flow down: it ended, or the start did. What the presenter renders may stay until the next render. */
  close(): void;
  /** The element's box while the start shows (from `requesting` to `confirming`). */
  render(view: PresenterView): TemplateResult | typeof nothing;
  /** What goes after the element's box while the start is on (`requesting` to `confirming`): the modal's dialog. */
  layer?(view: PresenterView): TemplateResult | typeof nothing;
  /** After every render of the element, with its texts in its current locale (it may change while the flow shows), as long as this presenter is the last one shown. */
  updated?(texts: Texts): void;
  /** How an end seen by status is reported, when the presenter sees none itself (default `status`). */
  readonly via?: FinishedVia;
}

/**
 * The part of a presenter that stands in the flow's box: everything but what it renders. The flow's frame
 * is one (presenters/frame.ts), the handoff's view another (handoff/handoff.ts); presenters/choose.ts
 * makes either the presenter of a mode.
 */
export type FramePresenter = Omit<Presenter, 'render' | 'layer'>;

/** Makes the presenter of a start, at once or once its module is loaded. */
export type PresenterFactory = (host: PresenterHost) => Presenter | Promise<Presenter>;
