// The split-off chunks the element uses, loaded through src/lazy.ts: when each is asked for, and what the
// element has of it now. Each renders its element again when it comes. A reactive controller written as a
// closure rather than a class: the minifier shortens its names, and the core has no bytes to spare.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FlowConfig } from './configuration.js';
import type { FlowError } from './errors.js';
import type { Handoff } from './handoff/handoff.js';
import { lazy, type Chunk } from './lazy.js';
import type { RunShell } from './run/run.js';

/** The deferred chunk: texts, views, the modal and popup presenters, the console's help. */
export type Deferred = Chunk<'deferred'>;

/** What the chunks' controller reads of its element. */
export interface ChunksHost extends FlowConfig, ReactiveControllerHost {
  readonly mode: string;
  /** What the handoff's "Continue on my phone" button starts. */
  start(): unknown;
}

/**
 * The element's chunks: what a start asks of them (their part of the shell of src/run/run.ts), and what the
 * element's render and `updateComplete` read. Each is `undefined` while on its way or not asked for, and
 * `null` when it could not load.
 */
export interface Chunks extends ReactiveController, Pick<RunShell, 'later' | 'loadLater' | 'handoff' | 'loadHandoff'> {
  /** The deferred chunk while it is on its way (what the element's `updateComplete` waits for too), else `undefined`. */
  pending(): Promise<Deferred | null> | undefined;
  /**
   * Has the deferred chunk tell in the console what it sees wrong: `error` (a configuration mistake, once
   * per element and cause), or, without one, the page's Permissions-Policy for the flow frame's camera.
   */
  explain(error?: FlowError): void;
}

/**
 * The chunks of `host`: the deferred one (`later()`: the progress, finished and error views) once a flow
 * shows or a start ends, at once in modal and popup mode; the handoff's decision once a handoff can matter,
 * which then looks at the camera ahead of any start.
 */
export function chunksController(host: ChunksHost): Chunks {
  let deferred: Deferred | null | undefined;
  let deferredLoading: Promise<Deferred | null> | undefined;
  let handoff: Handoff | null | undefined;
  let handoffLoading: Promise<Handoff | null> | undefined;

  // Without it a flow already shown goes on (the core says what it cannot show); a start that needs it for
  // its presenter fails with `chunk-load-failed` (see src/presenters/choose.ts).
  const loadLater = (): Promise<Deferred | null> =>
    (deferredLoading ??= lazy('deferred').then(
      (chunk) => {
        host.requestUpdate();
        return (deferred = chunk);
      },
      () => {
        host.requestUpdate();
        return (deferred = null);
      },
    ));

  // Once a handoff can matter: `handoff` is not `off`, and there is a `handoff-endpoint` or the browser is
  // a phone's or tablet's (every known in-app browser is).
  const loadHandoff = (): Promise<Handoff | null> | undefined => {
    if (host.handoff === 'off' || !(host.handoffEndpoint || /Mobi|Android|iP(hone|ad)/.test(navigator.userAgent))) return;
    return (handoffLoading ??= lazy('handoff').then(
      (chunk) => {
        host.requestUpdate(); // its offer's button, and `prepare` in `hostUpdated`
        return (handoff = chunk.handoffFor(host, () => void host.start()));
      },
      // Without it every start goes on on this device.
      () => (handoff = null),
    ));
  };

  const chunks: Chunks = {
    hostUpdated() {
      // Modal and popup starts need the deferred module at once: it shows them (and their texts).
      if (host.mode === 'modal' || host.mode === 'popup') void loadLater();
      void loadHandoff();
      handoff?.prepare();
    },
    explain(error) {
      void loadLater().then((later) => later?.explain(host, error));
    },
    pending: () => (deferred === undefined ? deferredLoading : undefined),
    later: () => deferred,
    handoff: () => handoff,
    loadLater,
    loadHandoff,
  };
  host.addController(chunks);
  return chunks;
}
