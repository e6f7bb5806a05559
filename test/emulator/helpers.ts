/** Shared helpers of the emulator tests: requests, a controllable clock and a webhook receiver. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Emulator } from '../../src/emulator/index.js';

/** A valid IIN (check digit right) and one that differs only in the check digit. */
export const VALID_IIN = '900101300017';
export const BAD_CHECK_DIGIT_IIN = '900101300018';
/** Another valid IIN, for a page that reports a value other than the session's. */
export const OTHER_VALID_IIN = '850505300120';
export const VALID_PHONE = '77011234567';
/** A 1×1 PNG, base64. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: any;
}

async function answer(response: Response): Promise<JsonAnswer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Pages are HTML; callers that want text read `body` as a string.
  }
  return { status: response.status, headers: response.headers, body };
}

/** POSTs `body` as JSON; `contentType: null` sends no Content-Type, like the vendor's browser example. */
export async function postJson(url: string, body: unknown, contentType: string | null = 'application/json') {
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  // A Uint8Array body makes fetch send no Content-Type at all (a string would be text/plain).
  const data = contentType ? payload : new TextEncoder().encode(payload);
  return answer(await fetch(url, { method: 'POST', headers, body: data }));
}

export async function getJson(url: string) {
  return answer(await fetch(url));
}

/** Creates a session on `emulator` with the flow at `flowIndex`. */
export async function createSession(emulator: Emulator, metadata?: unknown, flowIndex = 0) {
  const body: Record<string, unknown> = { api_key: emulator.flows[flowIndex]!.apiKey };
  if (metadata !== undefined) body['metadata'] = metadata;
  return postJson(`${emulator.url}/api/v1/flows/session/create/`, body);
}

export function resultUrl(emulator: Emulator, sessionId: string, key = emulator.flows[0]!.apiKey): string {
  const query = new URLSearchParams({ session_id: sessionId, flow_api_key: key });
  return `${emulator.url}/api/v1/flows/session/result/?${query}`;
}

export function sendEvent(emulator: Pick<Emulator, 'url'>, sessionId: string, event: Record<string, unknown>) {
  return postJson(`${emulator.url}/flow/${sessionId}/events`, event);
}

/** Walks a session through every technology with the given outcomes, then ends it. */
export async function walkSession(emulator: Pick<Emulator, 'url'>, sessionId: string, technologies: readonly string[], fail?: string) {
  for (const code of technologies) {
    assertOk(await sendEvent(emulator, sessionId, { type: 'technology.start', technology_code: code }));
    const success = code !== fail;
    assertOk(await sendEvent(emulator, sessionId, { type: 'technology.end', technology_code: code, success }));
    if (!success) break;
  }
  const end = await sendEvent(emulator, sessionId, { type: 'flow.end' });
  assertOk(end);
  return end.body as { status: string };
}

function assertOk(result: JsonAnswer): void {
  if (result.status !== 200) throw new Error(`expected 200, got ${result.status}: ${JSON.stringify(result.body)}`);
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** The webhook events of a passed session of the flow LD, F2F, in order. */
export const LD_F2F_EVENTS = ['flow.start', 'technology.start', 'technology.end', 'technology.start', 'technology.end', 'flow.end'];

export interface ReceivedWebhook {
  attempt: number;
  body: any;
  headers: IncomingMessage['headers'];
}

/**
 * A webhook receiver on 127.0.0.1. `failFirst` answers 500 to the first attempt of every envelope id,
 * `failRequests` to the first that many requests; `pendingFirst` answers the first attempt 503 with
 * `Retry-After`, as the server helpers do while the vendor's result lags. `waitFor(n)` resolves once `n`
 * envelopes were accepted (2xx).
 */
export async function startReceiver(options: { failFirst?: boolean; failRequests?: number; pendingFirst?: boolean } = {}) {
  const accepted: ReceivedWebhook[] = [];
  const attempts = new Map<string, number>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let requests = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const attempt = (attempts.get(body.id) ?? 0) + 1;
      attempts.set(body.id, attempt);
      requests += 1;
      if (options.pendingFirst && attempt === 1) {
        response.writeHead(503, { 'retry-after': '5' }).end();
        return;
      }
      if ((options.failFirst && attempt === 1) || requests <= (options.failRequests ?? 0)) {
        response.writeHead(500).end('try again');
        return;
      }
      accepted.push({ attempt, body, headers: request.headers });
      response.writeHead(204).end();
      for (const waiter of waiters.filter((w) => accepted.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    accepted,
    attempts,
    waitFor: (count: number) =>
      accepted.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
