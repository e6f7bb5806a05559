// Which presenter shows a start: by its mode, the flow's frame in the element's box (inline), in a dialog
// (modal) or in a window opened inside the click (popup, then its fallback when blocked); when the handoff
// takes the start, the handoff's view in the box or in the dialog (a handoff opens no window). Every
// presenter is a part (what stands in the flow's box) wrapped for its mode. The modal and popup presenters
// come with the deferred chunk: a start whose chunk is still on its way gets a promise of its presenter.
import type { FlowMode } from '../configuration.js';
import { FlowError } from '../errors.js';
import type { Handoff, HandoffKind } from '../handoff/handoff.js';
import { lazy, type Chunk } from '../lazy.js';
import { textsFor, type Locale } from '../locales.js';
import { documentAllowsCamera } from '../preflight.js';
import { flowBox } from './frame.js';
import { inlinePresenter } from './inline.js';
import { openBlankPopup } from './popup-window.js';
import type { Presenter, PresenterHost } from './types.js';

type Deferred = Chunk<'deferred'>;

/** What choosing reads of a start, and may change: a blocked popup or a handoff shows it in a dialog instead. */
export interface Showing {
  mode: FlowMode;
  readonly locale: Locale;
  readonly controller: AbortController;
}

/**
 * The presenter of `start`, made now when it can be: inline is part of the core; a popup's window is
 * opened now, inside the click (a blocked one falls back as `popupFallback` says, told through `report`);
 * the modal and popup presenters are made at once when the deferred chunk (`later()`) is there. Decided
 * first: `kind`, where the handoff sends the start (a popup start that hands off opens no window; one
 * whose decision is still on its way opens its window all the same, and closes it if the handoff takes it).
 *
 * @param handoff the element's handoff, read once `kind` is known (its chunk is there by then).
 * @throws {FlowError} `popup-blocked` when the popup is blocked and cannot fall back.
 */
/**
 * Whether a blocked popup can fall back to the dialog: not with `popup-fallback="none"`, nor on a page whose
 * policy refuses the camera (the dialog's frame would have none).
 */
export function popupFallsBack(popupFallback: string): boolean {
  return popupFallback !== 'none' && documentAllowsCamera(document) !== false;
}

export function choosePresenter(
  start: Showing,
  host: PresenterHost,
  kind: HandoffKind | undefined | Promise<HandoffKind | undefined>,
  handoff: () => Handoff | null | undefined,
  later: () => Deferred | null | undefined,
  popupFallback: string,
  report: (error: FlowError) => void,
): Presenter | Promise<Presenter> {
  if (typeof kind === 'string' && start.mode === 'popup') start.mode = 'modal';
  let make = (deferred: Deferred): Presenter => deferred.modalPresenter(host);
  let popup: Window | null = null;
  if (start.mode === 'popup') {
    const texts = textsFor(start.locale);
    popup = openBlankPopup(window, texts.frameTitle, texts.requesting, start.controller.signal);
    if (popup) {
      make = (deferred) => deferred.popupPresenter(host, popup!);
    } else {
      const blocked = new FlowError('popup-blocked', 'The browser blocked the popup: start from a click, or allow popups');
      if (!popupFallsBack(popupFallback)) throw blocked;
      report(blocked);
      start.mode = 'modal';
    }
  }
  const handOff = (to: HandoffKind): Promise<Presenter> => {
    popup?.close();
    // The handoff's view in the element's box, or in the modal's dialog (with the deferred chunk, loaded
    // alongside; a chunk that does not load fails the start).
    return Promise.all([handoff()!.part(host, to), start.mode === 'inline' ? undefined : lazy('deferred')]).then(([part, deferred]) =>
      deferred ? deferred.modalPresenter(host, part) : { ...part, render: flowBox },
    );
  };
  const made = (): Presenter | Promise<Presenter> => {
    const deferred = later();
    return start.mode === 'inline' ? inlinePresenter(host) : deferred ? make(deferred) : lazy('deferred').then(make);
  };
  return kind instanceof Promise ? kind.then((to) => (to ? handOff(to) : made())) : kind ? handOff(kind) : made();
}
