// Instruments the page for the adversarial tests: window listeners, timers, popups and fetches made by
// the element's own code are tracked so that a test can say "nothing is left" at the end.
// Import this module BEFORE '../../src/index.js' so the wrappers are in place before the element loads.
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';

export const flowOrigin = FLOW_ORIGIN as string;

/** Whether the call that is running now came from the element's source files (served under /src/). */
const SRC = new RegExp(`${location.origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/src/`);
function fromElement(): boolean {
  return SRC.test(new Error().stack ?? '');
}

// ---------------------------------------------------------------------------------------------------
// Window listeners: a model of the browser's own list, keyed by (type, listener, capture). An add with
// a signal counts as removed once the signal aborts.

interface TrackedListener {
  type: string;
  listener: EventListenerOrEventListenerObject;
  capture: boolean;
  stack: string;
}

const listeners = new Set<TrackedListener>();

function captureOf(options: boolean | EventListenerOptions | undefined): boolean {
  return typeof options === 'boolean' ? options : Boolean(options?.capture);
}

function findListener(type: string, listener: EventListenerOrEventListenerObject, capture: boolean) {
  for (const entry of listeners) {
    if (entry.type === type && entry.listener === listener && entry.capture === capture) return entry;
  }
  return undefined;
}

const realAdd = window.addEventListener;
const realRemove = window.removeEventListener;

window.addEventListener = function addEventListener(
  this: unknown,
  type: string,
  listener: EventListenerOrEventListenerObject | null,
  options?: boolean | AddEventListenerOptions,
): void {
  realAdd.call(window, type, listener as EventListenerOrEventListenerObject, options);
  if (!listener || !fromElement()) return;
  const capture = captureOf(options);
  const signal = typeof options === 'object' ? options.signal : undefined;
  if (signal?.aborted || findListener(type, listener, capture)) return;
  const entry: TrackedListener = { type, listener, capture, stack: new Error().stack ?? '' };
  listeners.add(entry);
  signal?.addEventListener('abort', () => listeners.delete(entry), { once: true });
} as typeof window.addEventListener;

window.removeEventListener = function removeEventListener(
  this: unknown,
  type: string,
  listener: EventListenerOrEventListenerObject | null,
  options?: boolean | EventListenerOptions,
): void {
  realRemove.call(window, type, listener as EventListenerOrEventListenerObject, options);
  if (!listener) return;
  const entry = findListener(type, listener, captureOf(options));
  if (entry) listeners.delete(entry);
} as typeof window.removeEventListener;

/** Window listeners that the element added and has not removed, by type. */
export function liveWindowListeners(): string[] {
  return [...listeners].map((entry) => entry.type);
}

// ---------------------------------------------------------------------------------------------------
// Timers made by the element: live from creation until they fire (timeouts) or are cleared.

interface TrackedTimer {
  kind: 'timeout' | 'interval';
  delay: number;
  stack: string;
}

const timers = new Map<number, TrackedTimer>();
const realSetTimeout = window.setTimeout;
const realClearTimeout = window.clearTimeout;
const realSetInterval = window.setInterval;
const realClearInterval = window.clearInterval;

window.setTimeout = function setTimeout(handler: TimerHandler, delay?: number, ...args: unknown[]): number {
  if (!fromElement() || typeof handler !== 'function') return realSetTimeout(handler, delay, ...args);
  const id: number = realSetTimeout(
    (...callArgs: unknown[]) => {
      timers.delete(id);
      (handler as (...a: unknown[]) => void)(...callArgs);
    },
    delay,
    ...args,
  );
  timers.set(id, { kind: 'timeout', delay: Number(delay ?? 0), stack: new Error().stack ?? '' });
  return id;
} as typeof window.setTimeout;

window.setInterval = function setInterval(handler: TimerHandler, delay?: number, ...args: unknown[]): number {
  const id: number = realSetInterval(handler, delay, ...args);
  if (fromElement()) timers.set(id, { kind: 'interval', delay: Number(delay ?? 0), stack: new Error().stack ?? '' });
  return id;
} as typeof window.setInterval;

window.clearTimeout = function clearTimeout(id?: number): void {
  realClearTimeout(id);
  if (id !== undefined) timers.delete(id);
} as typeof window.clearTimeout;

window.clearInterval = function clearInterval(id?: number): void {
  realClearInterval(id);
  if (id !== undefined) timers.delete(id);
} as typeof window.clearInterval;

/** Timers that the element started and that have neither fired nor been cleared. */
export function liveTimers(): string[] {
  return [...timers.values()].map((timer) => `${timer.kind} ${timer.delay} ms`);
}

// ---------------------------------------------------------------------------------------------------
// Popups: window.open opens real windows (the test browsers allow popups); every one is remembered, and
// `blockPopups` makes it answer null as a popup blocker would.

const realOpen = window.open;
const popups: Window[] = [];
let popupsBlocked = false;

window.open = function open(...args: Parameters<typeof window.open>): Window | null {
  if (popupsBlocked) return null;
  const popup = realOpen.apply(window, args);
  if (popup) popups.push(popup);
  return popup;
};

export function blockPopups(blocked: boolean): void {
  popupsBlocked = blocked;
}

/** Every popup opened so far. */
export function openedPopups(): readonly Window[] {
  return popups;
}

/** Popups still open. */
export function openPopups(): Window[] {
  return popups.filter((popup) => !popup.closed);
}

/** Closes every popup (cleanup after a failed test). */
export function closeAllPopups(): void {
  for (const popup of popups) if (!popup.closed) popup.close();
}

// ---------------------------------------------------------------------------------------------------
// fetch: a stand-in that behaves like the real one with respect to its signal, and counts what is
// still pending.

export interface FetchCall {
  url: URL;
  init: RequestInit;
  signal: AbortSignal | undefined;
  settled: boolean;
}

export type FetchHandler = (call: FetchCall) => Response | Promise<Response>;

const realFetch = window.fetch;
export const fetchCalls: FetchCall[] = [];
let fetchHandler: FetchHandler | undefined;

/** Answers every fetch with `handler` until `restoreFetch()`; an answer honours the request's signal. */
export function stubFetch(handler: FetchHandler): void {
  fetchHandler = handler;
  window.fetch = function fetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : String(input), document.baseURI);
    const signal = init.signal ?? undefined;
    const call: FetchCall = { url, init, signal, settled: false };
    fetchCalls.push(call);
    return new Promise<Response>((resolve, reject) => {
      const abort = () => {
        call.settled = true;
        reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
      };
      if (signal?.aborted) {
        abort();
        return;
      }
      signal?.addEventListener('abort', abort, { once: true });
      Promise.resolve()
        .then(() => fetchHandler!(call))
        .then(
          (response) => {
            if (call.settled) return;
            call.settled = true;
            signal?.removeEventListener('abort', abort);
            resolve(response);
          },
          (error: unknown) => {
            if (call.settled) return;
            call.settled = true;
            signal?.removeEventListener('abort', abort);
            reject(error);
          },
        );
    });
  };
}

export function restoreFetch(): void {
  window.fetch = realFetch;
  fetchHandler = undefined;
  fetchCalls.length = 0;
}

/** Requests neither answered nor aborted. */
export function pendingFetches(): string[] {
  return fetchCalls.filter((call) => !call.settled).map((call) => call.url.pathname);
}

// ---------------------------------------------------------------------------------------------------
// Uncaught errors and unhandled rejections, from anywhere in the page.

const problems: string[] = [];
realAdd.call(window, 'error', (event: Event) => {
  const e = event as ErrorEvent;
  problems.push(`error: ${e.message}${e.filename ? ` (${e.filename}:${e.lineno})` : ''}`);
});
realAdd.call(window, 'unhandledrejection', (event: Event) => {
  const reason = (event as PromiseRejectionEvent).reason as unknown;
  problems.push(`unhandledrejection: ${reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason)}`);
});

/** Uncaught errors and unhandled rejections seen since the last call; clears the list. */
export function takeProblems(): string[] {
  return problems.splice(0);
}

// ---------------------------------------------------------------------------------------------------
// Prototype pollution.

const PROTOTYPES: Array<[string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['EventTarget.prototype', EventTarget.prototype],
  ['HTMLElement.prototype', HTMLElement.prototype],
];

/** The own keys of the built-in prototypes, to compare before and after. */
export function prototypeKeys(): Record<string, string[]> {
  return Object.fromEntries(
    PROTOTYPES.map(([name, proto]) => [name, Reflect.ownKeys(proto).map(String).sort()]),
  );
}

// ---------------------------------------------------------------------------------------------------
// Small helpers.

/** Resolves after the current task and everything it queued as microtasks. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, 0));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/**
 * Resolves once a message from `source` that `match` accepts has been dispatched to every window
 * listener (the element's included): a listener of ours sees it, then one more task passes. Ours listens
 * in the capture phase, before the element's: a message that ends the flow removes its frame while it is
 * dispatched, and in WebKit `event.source` no longer equals the removed frame's window after that.
 */
export function messageFrom(
  source: () => MessageEventSource | null,
  match: (data: unknown) => boolean = () => true,
  timeoutMs = 4000,
): Promise<MessageEvent> {
  return new Promise((resolve, reject) => {
    const timer = realSetTimeout(() => {
      realRemove.call(window, 'message', listener, true);
      reject(new Error('no message from the expected source'));
    }, timeoutMs);
    const listener = (event: Event) => {
      const message = event as MessageEvent;
      if (message.source !== source() || !match(message.data)) return;
      realRemove.call(window, 'message', listener, true);
      realClearTimeout(timer);
      void nextTask().then(() => resolve(message));
    };
    realAdd.call(window, 'message', listener, true);
  });
}

/** Builds a `javascript:` URL that runs `code` inside the flow page when it is told to navigate there. */
export function scriptUrl(code: string): string {
  return `javascript:void(${encodeURIComponent(`(()=>{${code}})()`)})`;
}

export const KNOWN_FIELDS = ['event', 'type', 'name', 'url', 'href', 'session_id', 'status', 'technology_code'] as const;
const FINISH_WORDS = new Set(['finished', 'finish', 'flow.end']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Whether `value` is the finished page by the contract: same origin and path, one trailing `/` aside. */
function isFinishedPage(value: string, finishedHref: string): boolean {
  const trim = (path: string) => (path.endsWith('/') ? path.slice(0, -1) : path);
  try {
    const url = new URL(value);
    const finished = new URL(finishedHref);
    return url.origin === finished.origin && trim(url.pathname) === trim(finished.pathname);
  } catch {
    return false;
  }
}

/**
 * What the element must make of data that reached it from its flow window, by the contract: a short
 * string, or a plain object whose well-known fields, where present, are short strings, and whose
 * `session_id`, where present, names the current session (any case). `accepted` is `undefined` for
 * objects that are not plain (Date, Map, Blob...): the contract says nothing sure there. `finishes`
 * follows the default recogniser over the object's own fields.
 */
export function expectedFor(
  data: unknown,
  finishedHref: string,
  sessionId: string,
): { accepted: boolean | undefined; finishes: boolean } {
  if (typeof data === 'string') {
    const accepted = data.length <= 2048;
    return { accepted, finishes: accepted && (data === 'finished' || data === 'finish') };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { accepted: false, finishes: false };
  if (!isPlainObject(data)) return { accepted: undefined, finishes: false };
  const own = (key: string): unknown => (Object.hasOwn(data, key) ? data[key] : undefined);
  const accepted = KNOWN_FIELDS.every((key) => {
    const value = own(key);
    return value === undefined || (typeof value === 'string' && value.length <= 2048);
  });
  if (!accepted) return { accepted, finishes: false };
  const session = own('session_id');
  if (typeof session === 'string' && session.toLowerCase() !== sessionId.toLowerCase()) return { accepted: false, finishes: false };
  const word = ['event', 'type', 'name'].some((key) => FINISH_WORDS.has(own(key) as string));
  const url = ['url', 'href'].some((key) => typeof own(key) === 'string' && isFinishedPage(own(key) as string, finishedHref));
  return { accepted, finishes: word || url };
}
