import { nextFrame, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import sinon from 'sinon';
import type { BiometricFlowElement } from '../../src/index.js';

export const SESSION_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
export const OTHER_SESSION_ID = '9b2b0a36-2f0e-4a8c-9d55-0c8e4f1f7a11';

export interface RecordedRequest {
  url: string;
  init: RequestInit;
  body: unknown;
  headers: Headers;
}

export interface EndpointStub {
  requests: RecordedRequest[];
  stub: sinon.SinonStub;
}

type Answer = Response | ((request: RecordedRequest, signal: AbortSignal) => Response | Promise<Response>);

/** A JSON answer. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A valid session answer. */
export function sessionAnswer(id = SESSION_ID, technologies: string[] = ['LDHP', 'F2F']): Response {
  return json({ session_id: id, technologies });
}

/** A fetch that never answers until its signal aborts, as a hung server would. */
export function never(_request: RecordedRequest, signal: AbortSignal): Promise<Response> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
  });
}

/**
 * Replaces `window.fetch`, answering by path. Each call to a path takes that path's next answer (the
 * last one repeats); an unknown path is a test bug and rejects. Restore with `sinon.restore()`.
 */
export function stubRoutes(routes: Record<string, Answer[]>): Record<string, RecordedRequest[]> & { stub: sinon.SinonStub } {
  const requests: Record<string, RecordedRequest[]> = Object.fromEntries(Object.keys(routes).map((path) => [path, []]));
  const stub = sinon.stub(window, 'fetch').callsFake(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = input instanceof Request ? input.url : String(input);
    const path = new URL(url, location.href).pathname;
    const answers = routes[path];
    if (!answers) throw new TypeError(`unexpected fetch of ${url}`);
    const recorded: RecordedRequest = {
      url,
      init,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
    };
    const list = requests[path]!;
    list.push(recorded);
    const answer = answers[Math.min(list.length - 1, answers.length - 1)];
    const signal = init.signal ?? new AbortController().signal;
    const response = typeof answer === 'function' ? await answer(recorded, signal) : answer!.clone();
    if (signal.aborted) throw new DOMException('aborted', 'AbortError');
    return response;
  });
  return Object.assign(requests, { stub });
}

/** Replaces `window.fetch` for the session endpoint at `/api/session`; see {@link stubRoutes}. */
export function stubEndpoint(...answers: Answer[]): EndpointStub {
  const routes = stubRoutes({ '/api/session': answers });
  return { requests: routes['/api/session']!, stub: routes.stub };
}

/**
 * Sets the page's viewport in CSS pixels, in every test browser: the `viewport` command of
 * web-test-runner.config.mjs (the stock `setViewport` cannot drive WebKit through WebDriver).
 */
export async function setViewport(size: { width: number; height: number }): Promise<void> {
  await executeServerCommand('viewport', size);
  // A window resized from outside reaches the page's layout a frame or more later.
  await waitUntil(() => innerWidth === size.width && innerHeight === size.height, `a ${size.width}×${size.height} viewport`, {
    timeout: 5000,
  });
  await nextFrame();
}

/** The element's iframe, if any. */
export function frameOf(el: BiometricFlowElement): HTMLIFrameElement | null {
  return el.shadowRoot!.querySelector('[part~="frame"]');
}

/** Sends a command to the test flow page in the element's frame (see test/support/flow-origin.mjs). */
export function command(el: BiometricFlowElement, data: unknown): void {
  const frame = frameOf(el);
  if (!frame?.contentWindow) throw new Error('no frame');
  frame.contentWindow.postMessage(data, '*');
}

/**
 * Starts the element and waits until the test flow page has loaded in its frame and said it is ready: the
 * frame's load event may come before that message (WebKit) or after it (Chromium), and a test that
 * counts flow messages must not see it.
 */
export async function startAndLoad(el: BiometricFlowElement): Promise<void> {
  const loaded = oneEvent(el, 'flow-loaded');
  const ready = new Promise<void>((resolve) => {
    el.addEventListener('flow-message', function listener(event) {
      if ((event.detail.data as { event?: string }).event !== 'test-flow-ready') return;
      el.removeEventListener('flow-message', listener);
      resolve();
    });
  });
  void el.start();
  await Promise.all([loaded, ready]);
}

/** Adds a frame showing the test flow page at `src` to the document, once that page said it is ready. */
export async function testFlowFrame(src: string): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  frame.src = src;
  const ready = new Promise<void>((resolve) => {
    addEventListener('message', function listener(event) {
      if (event.source === frame.contentWindow) {
        removeEventListener('message', listener);
        resolve();
      }
    });
  });
  document.body.append(frame);
  await ready;
  return frame;
}

/** Collects every event of the given names that the element dispatches. */
export function record(el: HTMLElement, ...names: string[]): Array<CustomEvent & { type: string }> {
  const events: Array<CustomEvent & { type: string }> = [];
  for (const name of names) el.addEventListener(name, (event) => events.push(event as CustomEvent));
  return events;
}

