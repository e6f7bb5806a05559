import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueStatusToken } from '../../src/server/status-token.js';

/** A request the fake vendor received. */
export interface RecordedRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  text: string;
  /** When its body had arrived (ms since the epoch). */
  at: number;
}

/** What the fake vendor does with a request: answer, never answer, or drop the connection. */
export type VendorBehaviour =
  | { status?: number; json?: unknown; text?: string; contentType?: string; chunks?: string[]; location?: string }
  | 'hang'
  | 'drop';

/** An API key shaped like the vendor's (47+ characters), with characters that change when URL-encoded. */
export const API_KEY = 'bf_test+Secret/Key=' + 'Zq7Xw3Lp9'.repeat(4);

export const SESSION_ID = '3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f';

export interface FakeVendor {
  url: string;
  requests: RecordedRequest[];
  behave(behaviour: VendorBehaviour | ((request: RecordedRequest) => VendorBehaviour)): void;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/** Starts a stand-in for the vendor API on 127.0.0.1; by default it creates sessions. */
export async function startFakeVendor(): Promise<FakeVendor> {
  const requests: RecordedRequest[] = [];
  let behaviour: VendorBehaviour | ((request: RecordedRequest) => VendorBehaviour) = {
    json: { session_id: SESSION_ID, technologies: ['LDHP', 'F2F'] },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://vendor.test'),
        headers: req.headers,
        text: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(recorded);
      const action = typeof behaviour === 'function' ? behaviour(recorded) : behaviour;
      if (action === 'hang') return;
      if (action === 'drop') {
        req.socket.destroy();
        return;
      }
      res.statusCode = action.status ?? 200;
      res.setHeader('Content-Type', action.contentType ?? 'application/json');
      if (action.location !== undefined) res.setHeader('Location', action.location);
      if (action.chunks) {
        // Written piece by piece, without a Content-Length: the answer is chunked.
        for (const chunk of action.chunks) res.write(chunk);
        res.end();
        return;
      }
      res.end(action.text ?? JSON.stringify(action.json ?? {}));
    });
  });
  const url = await listen(server);
  return {
    url,
    requests,
    behave(next) {
      behaviour = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A base URL where nothing listens: a server's port, just after it closed. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

/** A logger that keeps every line, stringified, for assertions. */
export function capturingLogger(): {
  lines: string[];
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  info(...args: unknown[]): void;
} {
  const lines: string[] = [];
  const keep = (level: string, args: unknown[]) =>
    lines.push(
      `${level} ${args
        .map((arg) => (arg instanceof Error ? `${arg.stack} ${String(arg.cause)}` : typeof arg === 'string' ? arg : JSON.stringify(arg)))
        .join(' ')}`,
    );
  return {
    lines,
    warn: (...args) => keep('warn', args),
    error: (...args) => keep('error', args),
    info: (...args) => keep('info', args),
  };
}

/**
 * Environment variables set for one test: `set(name, value)` (`undefined` unsets), and `restore()`, for
 * `afterEach`, puts back what was there.
 */
export function testEnvironment(): { set(name: string, value: string | undefined): void; restore(): void } {
  const saved = new Map<string, string | undefined>();
  const put = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  return {
    set(name, value) {
      if (!saved.has(name)) saved.set(name, process.env[name]);
      put(name, value);
    },
    restore() {
      for (const [name, value] of saved) put(name, value);
      saved.clear();
    },
  };
}

/** The status-token secret the tests share (32+ characters). */
export const TOKEN_SECRET = 'test-token-secret-' + 'x7Kq2'.repeat(4);

/** The `Biometric-Status-Token` header for a session, signed with {@link TOKEN_SECRET}. */
export async function tokenHeader(sessionId: string = SESSION_ID, tokenSecret: string = TOKEN_SECRET): Promise<Record<string, string>> {
  return { 'Biometric-Status-Token': await issueStatusToken({ tokenSecret, sessionId }) };
}

/** Waits, a few ms at a time, until `check()` is (or resolves) true; fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A webhook of the vendor's for a session (a fresh event id, created now), posted to `url`. */
function eventRequest(url: string, sessionId: string, event: string, success: boolean, data: Record<string, unknown>): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), event, session_id: sessionId, created: Math.floor(Date.now() / 1000), success, data }),
  });
}

/** A `technology.end` webhook for a session, posted to `url`. */
export function technologyEndRequest(url: string, sessionId: string): Request {
  return eventRequest(url, sessionId, 'technology.end', true, { technology_code: 'LD', liveness_result: { result: true } });
}

/** A `flow.end` webhook for a session, posted to `url`; its own body claims `passed` or not, whatever the vendor's result says. */
export function flowEndRequest(url: string, sessionId: string, claimsPassed = true): Request {
  return eventRequest(url, sessionId, 'flow.end', claimsPassed, {
    session_result: { status: claimsPassed ? 'FINISHED' : 'FAILED', session_id: sessionId, flow_session_result: claimsPassed },
  });
}
