/**
 * Status tokens: what binds a session's status to whoever created it. The session handler hands one out
 * with each session; the status handler asks for it in the `Biometric-Status-Token` header. A token is
 * signed, not stored: `v1.<expires, unix seconds>.<base64url(HMAC-SHA256(secret, "v1." + session id in
 * lower case + "." + expires))>`, so every instance that shares the secret accepts it. No import of
 * `node:crypto`: it runs on Node, Bun, Deno and edge workers alike.
 *
 * @module
 */
import type { Logger } from './http.js';
import { sessionIdSchema } from './metadata.js';

/** The request header that carries a status token. */
export const STATUS_TOKEN_HEADER = 'Biometric-Status-Token';
/** Default lifetime of a status token, in seconds. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/** Shortest accepted `tokenSecret`, in characters. */
export const MIN_TOKEN_SECRET_LENGTH = 32;
/** The environment variable read when no `tokenSecret` is given. */
export const TOKEN_SECRET_VARIABLE = 'BIOMETRIC_TOKEN_SECRET';

/** Longest token looked at: a real one is about 60 characters. */
const MAX_TOKEN_LENGTH = 200;
const TOKEN_PATTERN = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
const encoder = new TextEncoder();

/** Options of {@link issueStatusToken}. */
export interface IssueStatusTokenOptions {
  /**
   * The signing secret, at least 32 characters; the same on every instance. Default: the environment
   * variable `BIOMETRIC_TOKEN_SECRET`, else a random secret of this process (with one warning).
   */
  tokenSecret?: string;
  /** The session the token is for (a UUID). */
  sessionId: string;
  /** Lifetime in seconds; default 3600. */
  ttlSeconds?: number;
}

/** Options of {@link verifyStatusToken}. */
export interface VerifyStatusTokenOptions {
  /** The signing secret the token was issued with (the same default as {@link issueStatusToken}). */
  tokenSecret?: string;
  /** The session the request asks about. */
  sessionId: string;
  /** The token as received; anything, `null` included, is accepted and checked. */
  token: string | null | undefined;
}

let processSecret: string | undefined;

function environmentSecret(): string | undefined {
  // `process` is absent on edge workers; there the secret comes from the option.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[TOKEN_SECRET_VARIABLE];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The secret to sign with: the option, else `BIOMETRIC_TOKEN_SECRET`, else one random secret per
 * process. The first time the random one is used, one warning goes to `logger`: tokens from another
 * instance (or from before a restart) will not verify.
 *
 * @throws {TypeError} when the option or the variable is shorter than 32 characters.
 */
export function resolveTokenSecret(tokenSecret: string | undefined, caller: string, logger: Logger = console): string {
  if (tokenSecret !== undefined) {
    if (typeof tokenSecret !== 'string' || tokenSecret.length < MIN_TOKEN_SECRET_LENGTH) {
      throw new TypeError(`${caller}: tokenSecret must be a string of at least ${MIN_TOKEN_SECRET_LENGTH} characters`);
    }
    return tokenSecret;
  }
  const fromEnvironment = environmentSecret();
  if (fromEnvironment !== undefined) {
    if (fromEnvironment.length < MIN_TOKEN_SECRET_LENGTH) {
      throw new TypeError(`${caller}: ${TOKEN_SECRET_VARIABLE} must be at least ${MIN_TOKEN_SECRET_LENGTH} characters`);
    }
    return fromEnvironment;
  }
  if (processSecret === undefined) {
    processSecret = base64url(crypto.getRandomValues(new Uint8Array(32)));
    logger.warn(
      `[biometric-flow] no tokenSecret and no ${TOKEN_SECRET_VARIABLE}: status tokens are signed with a random secret of this process. ` +
        'Several instances (or a restart) must share one secret: set it to the same random string of 32+ characters everywhere.',
    );
  }
  return processSecret;
}

/** Bytes as unpadded base64url (RFC 4648 §5): for tokens, link ids and nonces. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Imported keys by secret: a handler uses one secret for its life, and importing costs more than signing.
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    if (keys.size >= 16) keys.clear();
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

type NodeCrypto = Pick<typeof import('node:crypto'), 'createHmac' | 'timingSafeEqual'>;

/**
 * `node:crypto` where the runtime lends it without an import (Node ≥ 20.16, Bun, Deno): an HMAC there
 * costs about 3 µs of CPU, where Web Crypto's costs about 55 µs on Node (a job on the thread pool), which
 * a session request would feel. Elsewhere (edge workers), Web Crypto.
 */
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
  'node:crypto',
) as NodeCrypto | undefined;

/**
 * HMAC-SHA256 of `text` with `secret`: `node:crypto` where there is one, else Web Crypto (`webCrypto`
 * forces it; both give the same bytes).
 *
 * @returns the 32-byte MAC.
 */
export async function macOf(secret: string, text: string, webCrypto = nodeCrypto === undefined): Promise<Uint8Array> {
  if (!webCrypto && nodeCrypto) return nodeCrypto.createHmac('sha256', secret).update(text).digest();
  return new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(text)));
}

/**
 * Whether `mac` (32 bytes) is the HMAC-SHA256 of `text` with `secret`, compared in constant time
 * (`timingSafeEqual`, or `crypto.subtle.verify`).
 */
export async function macMatches(
  secret: string,
  text: string,
  mac: Uint8Array<ArrayBuffer>,
  webCrypto = nodeCrypto === undefined,
): Promise<boolean> {
  if (mac.byteLength !== 32) return false;
  if (!webCrypto && nodeCrypto) {
    return nodeCrypto.timingSafeEqual(nodeCrypto.createHmac('sha256', secret).update(text).digest(), mac);
  }
  return crypto.subtle.verify('HMAC', await hmacKey(secret), mac, encoder.encode(text));
}

function signedText(sessionId: string, expires: number): string {
  return `v1.${sessionId.toLowerCase()}.${expires}`;
}

/**
 * Issues the status token for a session, for hosts that create sessions their own way (the session
 * handler issues one with every session). The token is opaque to the browser and a bearer credential for
 * this session's status: send it in the `Biometric-Status-Token` header, never in a URL, never log it.
 *
 * @returns the token (ASCII, under 70 characters).
 * @throws {TypeError} for a session id that is not a UUID, a lifetime that is not a positive number, or a
 *   secret shorter than 32 characters.
 */
export async function issueStatusToken(options: IssueStatusTokenOptions): Promise<string> {
  const secret = resolveTokenSecret(options.tokenSecret, 'issueStatusToken');
  if (!sessionIdSchema.safeParse(options.sessionId).success) throw new TypeError('issueStatusToken: sessionId must be a UUID');
  const ttl = checkTokenTtl(options.ttlSeconds, 'issueStatusToken: ttlSeconds');
  return issueWith(secret, options.sessionId, ttl);
}

/**
 * Checks a status token: well formed, signed with this secret for this session (the id in either case),
 * and not expired. The signature is compared in constant time.
 *
 * @returns `true` only for a valid token; never throws for a bad one.
 * @throws {TypeError} for a secret shorter than 32 characters (a configuration error, not a bad token).
 */
export async function verifyStatusToken(options: VerifyStatusTokenOptions): Promise<boolean> {
  const secret = resolveTokenSecret(options.tokenSecret, 'verifyStatusToken');
  return verifyWith(secret, options.sessionId, options.token);
}

/** {@link verifyStatusToken} with the secret already resolved (the status handler resolves it once). */
export async function verifyWith(secret: string, sessionId: string, token: string | null | undefined): Promise<boolean> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || typeof sessionId !== 'string') return false;
  const match = TOKEN_PATTERN.exec(token.trim());
  if (!match) return false;
  const expires = Number(match[1]);
  const valid = await macMatches(secret, signedText(sessionId, expires), fromBase64url(match[2]!));
  return valid && expires * 1000 > Date.now();
}

/**
 * A token lifetime, default 3600 s.
 *
 * @throws {TypeError} when it is not a positive number.
 */
export function checkTokenTtl(ttlSeconds: number | undefined, name: string): number {
  const ttl = ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) throw new TypeError(`${name} must be a positive number`);
  return ttl;
}

/** {@link issueStatusToken} with the secret and lifetime already checked. */
export async function issueWith(secret: string, sessionId: string, ttlSeconds: number): Promise<string> {
  const expires = Math.ceil(Date.now() / 1000 + ttlSeconds);
  return `v1.${expires}.${base64url(await macOf(secret, signedText(sessionId, expires)))}`;
}
