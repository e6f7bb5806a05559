/**
 * The request prelude every handler starts with, written once so that the handlers cannot drift apart:
 *
 * 1. the settings that depend on the environment (resolved on the first request; while they are wrong,
 *    500 `configuration-error`, logged once: see `lazySettings`);
 * 2. the handler's own gate, if it has one (the webhook's path token and address; the handoff's phone
 *    pages, which a browser navigates to and which have no CORS);
 * 3. for a handler a browser calls (its settings carry an `originPolicy`): the Origin (403
 *    `forbidden-origin`), the CORS preflight (`OPTIONS` → 204) and the CORS answer headers;
 * 4. the method (405 `method-not-allowed` with `Allow`).
 *
 * Under `NODE_ENV=production`, a handler a browser calls that has no `allowedOrigins` (nor
 * `BIOMETRIC_ALLOWED_ORIGINS`) logs one warning at its first request: its "own origin" then comes from
 * the `Host` header, which a DNS-rebinding page chooses.
 *
 * What passes reaches the handler's own logic with its settings and the CORS headers its answers carry.
 *
 * Internal: nothing here is exported from `biometric-flow/server`.
 *
 * @module
 */
import { ALLOWED_ORIGINS_VARIABLE, environmentVariable, lazySettings } from './configuration.js';
import { redactorFor } from './errors.js';
import type { HandlerAnswer, HandlerInput } from './handler-core.js';
import {
  BodyError,
  bodyErrorAnswer,
  configurationErrorAnswer,
  corsHeaders,
  createOriginPolicy,
  errorAnswer,
  forbiddenOrigin,
  methodNotAllowed,
  preflightAnswer,
  printable,
} from './http.js';
import type { ErrorBody, Logger, OriginDecision, OriginOptions, OriginPolicy } from './http.js';
import { resolveVendorOptions } from './vendor.js';
import type { ResolvedVendorOptions, VendorOptions } from './vendor.js';

/** Logs a refusal (one line, with its reason) and gives the answer back; see `refuser`. */
export type Refuse = (answer: HandlerAnswer, reason: string) => HandlerAnswer;

/** What a request that passed the prelude carries into the handler's own logic. */
export interface Admitted<S> {
  /** The handler's resolved settings. */
  settings: S;
  /** Who sent the request (`{ kind: 'none' }` for a handler without an Origin policy). */
  decision: OriginDecision;
  /** The CORS headers every answer to this request carries (`{}` without an Origin policy). */
  cors: Record<string, string>;
}

/** How a handler's prelude works. `A` is what the handler takes beside the request (the webhook's client address). */
export interface PreludeSpec<S, A extends unknown[]> {
  /** The public function's name, for the configuration log line (`createSessionHandler`). */
  caller: string;
  logger: Logger;
  /**
   * Resolves the settings a build does not have (key, vendor URL, secret, origins). A `TypeError` is a
   * configuration error. An `originPolicy` among them turns on the Origin, preflight and CORS steps.
   */
  resolve: () => S;
  /** Redacts the configuration log line (the API key). */
  redact?: (text: string) => string;
  /** Every method the handler answers, for `Allow` and the preflight (`POST, OPTIONS`). */
  allow: string;
  /** The methods that reach the handler's logic; any other gets 405. */
  accept: readonly string[];
  /** How refusals are logged. */
  refuse: Refuse;
  /** A step before the Origin check; an answer ends the request there. */
  gate?: (input: HandlerInput, settings: S, ...args: A) => HandlerAnswer | undefined | Promise<HandlerAnswer | undefined>;
}

/**
 * The prelude of a handler that the host's pages call and that calls the vendor (the session and status
 * handlers): its settings are the vendor's and the Origin policy, resolved in that order, then its own
 * (`own`); the configuration log line never shows the API key.
 */
export function vendorPrelude<S>(
  options: VendorOptions & OriginOptions,
  spec: Pick<PreludeSpec<S, []>, 'caller' | 'logger' | 'allow' | 'accept' | 'refuse'>,
  own: () => S,
): PreludeSpec<{ vendor: ResolvedVendorOptions; originPolicy: OriginPolicy } & S, []> & { redact: (text: string) => string } {
  return {
    ...spec,
    // What the environment gives (key, vendor URL, secret, origins): checked on the first request.
    resolve: () => ({ vendor: resolveVendorOptions(options, spec.caller), originPolicy: createOriginPolicy(options, spec.caller), ...own() }),
    redact: redactorFor(options.apiKey),
  };
}

/**
 * Puts the prelude in front of a handler's logic.
 *
 * @returns the handler's core: the prelude, then `handle` for what passes it.
 */
export function withPrelude<S extends { originPolicy?: OriginPolicy | undefined }, A extends unknown[] = []>(
  spec: PreludeSpec<S, A>,
  handle: (input: HandlerInput, admitted: Admitted<S>, ...args: A) => Promise<HandlerAnswer>,
): (input: HandlerInput, ...args: A) => Promise<HandlerAnswer> {
  const { allow, accept, refuse, gate } = spec;
  const settings = lazySettings(spec.caller, spec.logger, spec.resolve, spec.redact);
  let checked = false;
  return async (input, ...args) => {
    const resolved = settings();
    if (resolved === undefined) return configurationErrorAnswer();
    if (!checked) {
      checked = true;
      if (resolved.originPolicy && resolved.originPolicy.allowList === undefined && environmentVariable('NODE_ENV') === 'production') {
        spec.logger.warn(
          `[biometric-flow] ${spec.caller}: NODE_ENV is production and neither allowedOrigins nor ${ALLOWED_ORIGINS_VARIABLE} is set, ` +
            "so the request's own origin is taken from its Host header, which nothing checks (a DNS-rebinding page chooses it). " +
            'Set allowedOrigins to the origins of your pages.',
        );
      }
    }
    if (gate) {
      const answer = await gate(input, resolved, ...args);
      if (answer !== undefined) return answer;
    }
    let decision: OriginDecision = { kind: 'none' };
    if (resolved.originPolicy) {
      decision = resolved.originPolicy(input);
      if (decision.kind === 'forbidden') return refuse(forbiddenOrigin(), decision.reason);
      if (input.method === 'OPTIONS') return preflightAnswer(decision, input, allow);
    }
    const cors = resolved.originPolicy ? corsHeaders(decision) : {};
    if (!accept.includes(input.method)) {
      return refuse(methodNotAllowed(allow, cors), `method ${JSON.stringify(printable(input.method, 16))}`);
    }
    return handle(input, { settings: resolved, decision, cors }, ...args);
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a request's body as UTF-8 text, within `maxBytes` and `timeoutMs`.
 *
 * @returns the text, or the refusal to answer instead (logged by `refuse`): the body's own (413
 *   `payload-too-large`, 408 `body-timeout`, 400 `invalid-body`), or 400 `notText` for bytes that are
 *   not UTF-8.
 */
export async function readText(
  input: HandlerInput,
  maxBytes: number,
  timeoutMs: number,
  notText: ErrorBody['error'],
  refuse: Refuse,
  cors: Record<string, string>,
): Promise<string | HandlerAnswer> {
  try {
    return utf8.decode(await input.readBody(maxBytes, timeoutMs));
  } catch (error) {
    if (error instanceof BodyError) return refuse(bodyErrorAnswer(error, cors), error.message);
    return refuse(errorAnswer(400, notText, cors), 'the body is not UTF-8');
  }
}
