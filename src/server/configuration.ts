/**
 * Options checked when a handler is first called, not when it is made. Secrets and deployment settings
 * come from the environment, which a build (`next build`, a Docker image) does not have: a route module
 * that makes its handler at load must still load there. A handler whose settings are wrong answers 500
 * `configuration-error` and says why in one log line; a programming error (a callback that is not a
 * function, a number out of range) still throws at creation, where the stack points at it.
 *
 * @module
 */
import { FlowError } from '../errors.js';
import { DEFAULT_FLOW_BASE_URL, flowLocation, type FlowLocation } from '../flow-url.js';
import type { Logger } from './logger.js';

/** The environment variable read when a handler has no `allowedOrigins`. */
export const ALLOWED_ORIGINS_VARIABLE = 'BIOMETRIC_ALLOWED_ORIGINS';

/** An environment variable, where there is a `process` (not on edge workers); empty counts as unset. */
export function environmentVariable(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * `allowedOrigins` as given, else from `BIOMETRIC_ALLOWED_ORIGINS` (comma-separated, spaces allowed),
 * else `undefined`.
 */
export function allowedOriginsOrEnvironment(allowedOrigins: string[] | undefined): string[] | undefined {
  if (allowedOrigins !== undefined) return allowedOrigins;
  const fromEnvironment = environmentVariable(ALLOWED_ORIGINS_VARIABLE);
  return fromEnvironment?.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/**
 * Resolves a handler's environment-dependent settings on first use and keeps them. Until they resolve,
 * each call returns `undefined`; the first failure is logged once (`logger.error`), redacted by
 * `redact`, with the error's own message (which names the option, never its value when secret). A later
 * call tries again, so a setting fixed without a restart (a secret mounted late) takes effect.
 *
 * @returns a function giving the settings, or `undefined` while they are wrong.
 */
export function lazySettings<T>(caller: string, logger: Logger, resolve: () => T, redact: (text: string) => string = (text) => text): () => T | undefined {
  let settings: T | undefined;
  let resolved = false;
  let logged = false;
  return () => {
    if (resolved) return settings;
    try {
      settings = resolve();
      resolved = true;
      return settings;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      if (!logged) {
        logged = true;
        const reason = error.message.startsWith(`${caller}: `) ? error.message.slice(caller.length + 2) : error.message;
        logger.error(
          redact(`[biometric-flow] ${caller} is not configured: ${reason}. Every request answers 500 configuration-error until this is fixed.`),
        );
      }
      return undefined;
    }
  };
}

/** The environment variable read when a session handler has no `flowBaseUrl` (the examples' name for it). */
export const FLOW_BASE_URL_VARIABLE = 'BIOMETRIC_FLOW_BASE_URL';

/**
 * `flowBaseUrl` resolved the way the element resolves its `flow-base-url` (the same code: one place
 * decides what a flow URL may be): as given, else env `BIOMETRIC_FLOW_BASE_URL`, else
 * `https://remote.biometric.kz`.
 *
 * @throws {TypeError} naming `caller` when the URL is malformed, relative or not `https:` (`http:` only
 *   on loopback hosts), so that {@link lazySettings} reports it as a configuration error.
 */
export function resolveFlowLocation(option: string | undefined, caller: string): FlowLocation {
  const flowBaseUrl = option ?? environmentVariable(FLOW_BASE_URL_VARIABLE);
  try {
    // The base resolves against itself: a relative URL has nothing to be relative to on a server.
    return flowLocation({ baseUrl: flowBaseUrl, finishedUrl: undefined, documentBase: flowBaseUrl || DEFAULT_FLOW_BASE_URL });
  } catch (error) {
    if (!(error instanceof FlowError)) throw error;
    const source = option === undefined ? ` (from ${FLOW_BASE_URL_VARIABLE})` : '';
    throw new TypeError(`${caller}: flowBaseUrl${source} must be an absolute https: URL (http: only on loopback hosts)`);
  }
}
