/**
 * Pieces shared by the handlers: answers, the Origin policy, CORS, and a bounded body reader. They work
 * on a `HandlerInput` and make plain `HandlerAnswer`s, so the same code serves Web `Request`s (Node, Bun,
 * Deno, edge workers) and, without conversions, Node requests.
 *
 * @module
 */
import { ALLOWED_ORIGINS_VARIABLE, allowedOriginsOrEnvironment } from './configuration.js';
import { VendorError } from './errors.js';
import type { Logger } from './logger.js';
import type { HandlerAnswer, HandlerInput } from './handler-types.js';
import type { FormattedIssue } from './metadata.js';
import { VENDOR_REASON_CODES } from './vendor-reasons.js';

export type { Logger } from './logger.js';

/** The body of every error answer. */
export interface ErrorBody {
  error: {
    /** Stable, machine-readable reason, e.g. `forbidden-origin`, `vendor-timeout`. */
    code: string;
    /** Human-readable, in English. Never contains the API key or personal data. */
    message: string;
    /** Which fields of the request were wrong (400 only). */
    issues?: FormattedIssue[];
    /**
     * The vendor's HTTP status, for `vendor-error` and the known vendor codes (`invalid-iin`...; absent for
     * a redirect that fetch itself refused).
     */
    vendorStatus?: number;
  };
}

/** Options both handlers share for who may call them. */
export interface OriginOptions {
  /**
   * Origins (`https://shop.example`) whose pages may call the handler, cross-origin with credentials.
   * When given, it is the whole list: the handler's own origin is allowed only if listed. Default: env
   * `BIOMETRIC_ALLOWED_ORIGINS` (comma-separated), else only the request's own origin
   * (`new URL(request.url).origin`). A request without an `Origin` header (server to server) always passes.
   * `'*'` is not supported.
   *
   * The production setting wherever `request.url` is not what the browser asked for: behind a proxy, and
   * in frameworks that rewrite it (Next.js reports `http://localhost:3000` under `next dev` and `next
   * start`). Without a list, "own origin" comes from the request's `Host`, which nothing checks.
   * Checked on the first request: an entry that is not an origin answers 500 `configuration-error`.
   */
  allowedOrigins?: string[];
  /**
   * Trust `X-Forwarded-Proto` and `X-Forwarded-Host` (first value of each) when working out the request's
   * own origin. Default `false`: a client could set them. Turn it on only behind a proxy that overwrites them.
   * With `allowedOrigins`, the list alone decides.
   */
  trustProxy?: boolean;
}

/** Who sent a request: no `Origin` (server to server), the handler's own origin, an allowed cross origin, or a refused one. */
export type OriginDecision =
  | { kind: 'none' }
  | { kind: 'same'; origin: string }
  | { kind: 'cross'; origin: string }
  | { kind: 'forbidden'; origin: string; reason: string };

function firstValue(header: string | null): string | undefined {
  const value = header?.split(',')[0]?.trim();
  return value ? value : undefined;
}

/**
 * The request's own origin: its URL's, or with `trustProxy` as `X-Forwarded-Proto` and `-Host` (first
 * values) say. Only what an allow-list or a trusted proxy vouches for may count as "own" (DNS rebinding).
 */
export function ownOrigin(input: HandlerInput, trustProxy: boolean): string {
  const url = new URL(input.url);
  if (!trustProxy) return url.origin;
  const proto = firstValue(input.header('x-forwarded-proto'));
  const host = firstValue(input.header('x-forwarded-host'));
  try {
    return new URL(`${proto === 'https' || proto === 'http' ? proto : url.protocol.slice(0, -1)}://${host ?? url.host}`).origin;
  } catch {
    return url.origin;
  }
}

/** The request's own URL as {@link ownOrigin} has it, without query and hash. */
export function ownUrl(input: HandlerInput, trustProxy: boolean): URL {
  return new URL(ownOrigin(input, trustProxy) + new URL(input.url).pathname);
}

/**
 * A request-supplied value fit for a log line: control characters replaced, at most `max` characters.
 *
 * @returns the value, or `(none)` when it is empty.
 */
export function printable(value: string, max = 200): string {
  if (value === '') return '(none)';
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Decides who sent a request; see {@link createOriginPolicy}. */
export interface OriginPolicy {
  (input: HandlerInput): OriginDecision;
  /** The allowed origins, or `undefined` when only the request's own origin (from its `Host`) is. */
  readonly allowList: readonly string[] | undefined;
}

/**
 * Normalises `allowedOrigins` (or `BIOMETRIC_ALLOWED_ORIGINS`) once.
 *
 * @throws {TypeError} for an entry that is not an origin.
 */
export function createOriginPolicy(options: OriginOptions, caller: string): OriginPolicy {
  const source = options.allowedOrigins === undefined ? ` (from ${ALLOWED_ORIGINS_VARIABLE})` : '';
  const allowed = allowedOriginsOrEnvironment(options.allowedOrigins)?.map((entry) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new TypeError(`${caller}: allowedOrigins entry ${JSON.stringify(entry)}${source} is not an origin`);
    }
    if (url.origin === 'null') throw new TypeError(`${caller}: allowedOrigins entry ${JSON.stringify(entry)}${source} is not an origin`);
    return url.origin;
  });
  const allowedSet = allowed && new Set(allowed);
  const allowedText = allowed && (allowed.length === 0 ? '(none)' : allowed.join(' '));
  const trustProxy = options.trustProxy === true;
  const policy = (input: HandlerInput): OriginDecision => {
    const origin = input.header('origin');
    if (origin === null) return { kind: 'none' };
    const own = ownOrigin(input, trustProxy);
    if (allowedSet) {
      if (!allowedSet.has(origin)) return { kind: 'forbidden', origin, reason: `got ${printable(origin)}, allowed ${allowedText}` };
    } else if (origin !== own) {
      return {
        kind: 'forbidden',
        origin,
        reason: `got ${printable(origin)}, allowed only the request's own origin ${printable(own)} (set allowedOrigins or ${ALLOWED_ORIGINS_VARIABLE})`,
      };
    }
    return origin === own ? { kind: 'same', origin } : { kind: 'cross', origin };
  };
  return Object.assign(policy, { allowList: allowed });
}

/**
 * Makes a handler's refusal: logs one line naming the answer's code and the reason (`logger.warn`), then
 * gives the answer back. The reason must hold no secret: not the key, not a token. The line reads
 * `<what> refused (<status>): <code>: <reason>`, or as `line` writes it.
 *
 * @returns `(answer, reason) => answer`.
 */
export function refuser(
  what: string,
  logger: Logger,
  line: (status: number, code: string, reason: string) => string = (status, code, reason) => `${what} refused (${status}): ${code}: ${reason}`,
): (answer: HandlerAnswer, reason: string) => HandlerAnswer {
  return (answer, reason) => {
    const { code } = (JSON.parse(answer.body!) as ErrorBody).error;
    logger.warn(`[biometric-flow] ${line(answer.status, code, reason)}`);
    return answer;
  };
}

/** CORS answer headers: only for an allowed cross origin. `Vary: Origin` always, since the answer depends on it. */
export function corsHeaders(decision: OriginDecision): Record<string, string> {
  if (decision.kind !== 'cross') return { Vary: 'Origin' };
  return {
    Vary: 'Origin',
    'Access-Control-Allow-Origin': decision.origin,
    'Access-Control-Allow-Credentials': 'true',
  };
}

/** A JSON answer that is never cached. */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): HandlerAnswer {
  return jsonTextAnswer(status, JSON.stringify(body), headers);
}

/** {@link jsonAnswer} for JSON already serialised (an answer kept for reuse). */
export function jsonTextAnswer(status: number, json: string, headers: Record<string, string> = {}): HandlerAnswer {
  return {
    status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    },
    body: json,
  };
}

/** An error answer `{ error: { code, message, ... } }`. */
export function errorAnswer(status: number, error: ErrorBody['error'], headers: Record<string, string> = {}): HandlerAnswer {
  return jsonAnswer(status, { error } satisfies ErrorBody, headers);
}

const TOKEN_LIST = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(\s*,\s*[!#$%&'*+\-.^_`|~0-9A-Za-z]+)*$/;

/** What a preflight allows when it does not name the headers it wants: what the element sends. */
const DEFAULT_ALLOWED_HEADERS = 'Content-Type, Biometric-Status-Token';

/**
 * Answers `OPTIONS`. A preflight from an allowed cross origin gets 204 with the CORS grants (the
 * requested headers are echoed, so `requestInit` may add its own; without a list, `Content-Type` and
 * `Biometric-Status-Token`); a foreign origin gets 403.
 */
export function preflightAnswer(decision: OriginDecision, input: HandlerInput, methods: string): HandlerAnswer {
  if (decision.kind === 'forbidden') return forbiddenOrigin();
  const headers: Record<string, string> = { ...corsHeaders(decision), Allow: methods, 'Cache-Control': 'no-store' };
  if (decision.kind === 'cross') {
    headers['Access-Control-Allow-Methods'] = methods;
    const requested = input.header('access-control-request-headers')?.trim();
    headers['Access-Control-Allow-Headers'] = requested && TOKEN_LIST.test(requested) ? requested : DEFAULT_ALLOWED_HEADERS;
    headers['Access-Control-Max-Age'] = '600';
  }
  return { status: 204, headers, body: null };
}

/** 500 `configuration-error`: the same answer for every cause, which only the log names. */
export function configurationErrorAnswer(): HandlerAnswer {
  return errorAnswer(500, { code: 'configuration-error', message: 'This endpoint is not configured correctly; its server log says why' });
}

/** 403 `forbidden-origin`, without CORS grants so the page cannot read it. */
export function forbiddenOrigin(): HandlerAnswer {
  return errorAnswer(403, { code: 'forbidden-origin', message: 'This origin may not use this endpoint' }, { Vary: 'Origin' });
}

/** 405 `method-not-allowed` with `Allow`. */
export function methodNotAllowed(methods: string, cors: Record<string, string>): HandlerAnswer {
  return errorAnswer(
    405,
    { code: 'method-not-allowed', message: `Use ${methods.split(',')[0]}` },
    { ...cors, Allow: methods },
  );
}

const REASON_CODES: ReadonlySet<string> = new Set(VENDOR_REASON_CODES);

/**
 * Maps a `VendorError` to its answer; the message is the error's own (already key-free, and a fixed text
 * for a known vendor error). `vendorStatus` goes with `vendor-error` and the known vendor codes.
 */
export function vendorErrorAnswer(error: VendorError, cors: Record<string, string>): HandlerAnswer {
  const body: ErrorBody['error'] = { code: error.code, message: error.message };
  if (error.vendorStatus !== undefined && REASON_CODES.has(error.code)) body.vendorStatus = error.vendorStatus;
  return errorAnswer(error.status, body, cors);
}

/** Why a body could not be read. */
export class BodyError extends Error {
  /** The HTTP status to answer with. */
  readonly status: number;
  /** The error code to answer with. */
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'BodyError';
    this.status = status;
    this.code = code;
  }
}

/**
 * Refuses an honest `Content-Length` over the limit before anything is read.
 *
 * @throws {BodyError} 413 `payload-too-large`.
 */
export function checkDeclaredLength(declared: string | null, maxBytes: number): void {
  const length = Number(declared);
  if (Number.isFinite(length) && length > maxBytes) throw tooLarge(maxBytes);
}

/** Default time limit for reading a request body, in ms: a body sent a byte at a time is not awaited for ever. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/**
 * Checks a `bodyTimeoutMs` option.
 *
 * @returns the time limit, `fallback` when not given.
 * @throws {TypeError} when it is not a positive number.
 */
export function checkBodyTimeoutMs(value: number | undefined, fallback: number, caller: string): number {
  const timeoutMs = value ?? fallback;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`${caller}: bodyTimeoutMs must be a positive number`);
  }
  return timeoutMs;
}

/**
 * Reads a byte stream whole, counting bytes as they arrive, so that a lying or missing length cannot get
 * more than `maxBytes` past it; with `timeoutMs`, within that time for all of it.
 *
 * @returns the bytes, or `undefined` when the stream is longer than `maxBytes` (it is cancelled, the rest
 *   unread).
 * @throws {BodyError} 408 `body-timeout` past `timeoutMs` (the stream is cancelled); else what the
 *   stream's reads throw.
 */
export async function readUpTo(stream: ReadableStream<Uint8Array> | null, maxBytes: number, timeoutMs?: number): Promise<Uint8Array | undefined> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timedOut = false;
  // Cancelling ends the pending read ({ done: true }); the flag tells that end from the stream's own.
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          reader.cancel().catch(() => undefined);
        }, timeoutMs);
  try {
    for (;;) {
      const step = await reader.read();
      if (timedOut) throw bodyTimeout(timeoutMs!);
      if (step.done) break;
      total += step.value.byteLength;
      if (total > maxBytes) {
        reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(step.value);
    }
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads a Web request's body with {@link readUpTo}. An honest `Content-Length` over the limit is refused
 * before reading.
 *
 * @throws {BodyError} 413 `payload-too-large`, 408 `body-timeout` past `timeoutMs`, or 400
 *   `invalid-body` when the stream fails.
 */
export async function readBodyBytes(request: Request, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  checkDeclaredLength(request.headers.get('content-length'), maxBytes);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readUpTo(request.body, maxBytes, timeoutMs);
  } catch (error) {
    if (error instanceof BodyError) throw error;
    throw new BodyError(400, 'invalid-body', 'The request body could not be read');
  }
  if (bytes === undefined) throw tooLarge(maxBytes);
  return bytes;
}

/**
 * A query parameter that must be given once at most. A repeated one is refused, not read for its first
 * value: a proxy, a cache or the host's own code in front may read another of its values than this
 * handler does.
 *
 * @returns its value, `null` when absent, `undefined` when repeated.
 */
export function singleQueryValue(url: URL, name: string): string | null | undefined {
  const values = url.searchParams.getAll(name);
  return values.length > 1 ? undefined : (values[0] ?? null);
}

/** 413 `payload-too-large`. */
export function tooLarge(maxBytes: number): BodyError {
  return new BodyError(413, 'payload-too-large', `The request body must be at most ${maxBytes} bytes`);
}

/** 408 `body-timeout`. */
export function bodyTimeout(timeoutMs: number): BodyError {
  return new BodyError(408, 'body-timeout', `The request body did not arrive within ${timeoutMs} ms`);
}

/**
 * The answer to a body that could not be read. A timed-out one also closes the connection: the rest of
 * the body may still be trickling in, and the connection is not worth keeping for it.
 */
export function bodyErrorAnswer(error: BodyError, cors: Record<string, string>): HandlerAnswer {
  return errorAnswer(error.status, { code: error.code, message: error.message }, error.status === 408 ? { ...cors, Connection: 'close' } : cors);
}

/**
 * Whether JSON text nests arrays/objects deeper than `maxDepth`. A linear scan before `JSON.parse`, so a
 * hostile body never reaches a recursive walk.
 */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * The client's address behind a trusted proxy: the last `X-Forwarded-For` entry, the one the proxy in
 * front of this server appended. Entries before it are whatever the client sent, and a client that
 * could choose its address could choose its own rate-limit bucket or pass an allow-list.
 *
 * @returns the address, or `undefined` without the header.
 */
export function lastForwardedFor(header: string | null): string | undefined {
  const value = header?.split(',').at(-1)?.trim();
  return value ? value : undefined;
}
