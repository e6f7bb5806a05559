import { z } from 'zod';
import { InvalidMetadataError, VendorError, createRedactor, describeError } from './errors.js';
import { webHandler } from './handler-core.js';
import type { HandlerAnswer, HandlerInput } from './handler-core.js';
import {
  BodyError,
  corsHeaders,
  createOriginPolicy,
  errorAnswer,
  forbiddenOrigin,
  jsonAnswer,
  jsonNestsDeeperThan,
  methodNotAllowed,
  preflightAnswer,
  vendorErrorAnswer,
} from './http.js';
import type { Logger, OriginOptions } from './http.js';
import { formatIssues } from './metadata.js';
import type { SessionMetadata } from './metadata.js';
import { createSessionWith, resolveVendorOptions } from './vendor.js';
import type { VendorOptions } from './vendor.js';

/** The element's locales. */
export type Locale = 'ru' | 'kk' | 'en';

/** What the `metadata` callback is told about the request. */
export interface SessionMetadataContext {
  /**
   * The incoming request, for its cookies and headers. Its body is already read; under `toNodeListener`
   * it is a copy without the body, made when first read.
   */
  request: Request;
  /** The element's locale, when it sent one. */
  locale: Locale | undefined;
  /** The element's `context` property as sent: untrusted browser input, validate it yourself. */
  context: unknown;
}

/** Options of {@link createSessionHandler}. */
export interface SessionHandlerOptions extends VendorOptions, OriginOptions {
  /**
   * Builds the session's metadata (IIN, phone, photo...) for this request, or `undefined` for none.
   * What it returns is checked with `sessionMetadataSchema`; a failure is a 500 `invalid-metadata`.
   */
  metadata?: (ctx: SessionMetadataContext) => SessionMetadata | undefined | Promise<SessionMetadata | undefined>;
  /** Largest accepted request body in bytes; default 16384. */
  maxBodyBytes?: number;
  /** Where problems are reported (redacted, no personal data); default `console`. */
  logger?: Logger;
}

/** Default body limit of the session handler, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 16_384;
/** Deepest accepted JSON nesting of a request body. */
export const MAX_JSON_DEPTH = 32;

/** What the element sends. Unknown fields are ignored so the element may grow. */
export const sessionRequestSchema = z.object({
  locale: z.enum(['ru', 'kk', 'en']).optional(),
  context: z.unknown().optional(),
});

const ALLOWED_METHODS = 'POST, OPTIONS';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Accepted request content types. `application/json` (parameters allowed) and `application/*+json` are
 * what the element sends; a request with no `Content-Type` is accepted for server-to-server callers.
 * `text/plain`, forms and everything else get 415: a JSON content type makes every cross-origin browser
 * request preflighted, which backs up the Origin check.
 */
function acceptableContentType(header: string | null): boolean {
  if (header === null || header.trim() === '') return true;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/**
 * Creates the endpoint the element's `session-endpoint` points at. It takes `POST` JSON
 * `{ locale?, context? }`, asks the `metadata` callback for session metadata, creates a vendor session
 * with the API key, and answers `200 { session_id, technologies }` (`Cache-Control: no-store`).
 *
 * Checks, in order: Origin (403 `forbidden-origin`; `OPTIONS` → 204 preflight for an allowed cross
 * origin), method (405 with `Allow`), content type (415), body size (413), JSON (400 `invalid-json`,
 * `json-too-deep`), body shape (400 `invalid-request` with `issues`). Then: callback throws → 500
 * `metadata-callback-failed`; invalid metadata → 500 `invalid-metadata` (logged with field paths,
 * answered without them); vendor timeout → 504 `vendor-timeout`; vendor unreachable, non-2xx or
 * malformed → 502 `vendor-unreachable`, `vendor-error` (with `vendorStatus`; a redirect is never
 * followed and is a `vendor-error` too), `vendor-invalid-response`.
 * Error answers are `{ error: { code, message, issues?, vendorStatus? } }`.
 *
 * The API key never appears in an answer, a log line or an error.
 *
 * @returns a `(request: Request) => Promise<Response>` for any Web-standard server; see `toNodeListener`
 *   for node:http and Express.
 * @throws {TypeError} at creation, for a missing key or malformed options.
 */
export function createSessionHandler(options: SessionHandlerOptions): (request: Request) => Promise<Response> {
  const vendor = resolveVendorOptions(options, 'createSessionHandler');
  const originPolicy = createOriginPolicy(options, 'createSessionHandler');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError('createSessionHandler: maxBodyBytes must be a positive integer');
  }
  const logger = options.logger ?? console;
  const redact = createRedactor(options.apiKey);
  const metadataCallback = options.metadata;

  return webHandler(async (input: HandlerInput): Promise<HandlerAnswer> => {
    const decision = originPolicy(input);
    if (decision.kind === 'forbidden') return forbiddenOrigin();
    if (input.method === 'OPTIONS') return preflightAnswer(decision, input, ALLOWED_METHODS);
    const cors = corsHeaders(decision);
    if (input.method !== 'POST') return methodNotAllowed(ALLOWED_METHODS, cors);
    if (!acceptableContentType(input.header('content-type'))) {
      return errorAnswer(415, { code: 'unsupported-media-type', message: 'Send the body as application/json' }, cors);
    }

    let text: string;
    try {
      text = utf8.decode(await input.readBody(maxBodyBytes));
    } catch (error) {
      if (error instanceof BodyError) return errorAnswer(error.status, { code: error.code, message: error.message }, cors);
      return errorAnswer(400, { code: 'invalid-json', message: 'The request body is not UTF-8 JSON' }, cors);
    }
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
      return errorAnswer(400, { code: 'json-too-deep', message: `JSON may nest at most ${MAX_JSON_DEPTH} levels` }, cors);
    }
    let json: unknown = {};
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        return errorAnswer(400, { code: 'invalid-json', message: 'The request body is not valid JSON' }, cors);
      }
    }
    const body = sessionRequestSchema.safeParse(json);
    if (!body.success) {
      return errorAnswer(
        400,
        { code: 'invalid-request', message: 'The request body is invalid', issues: formatIssues(body.error) },
        cors,
      );
    }

    let metadata: SessionMetadata | undefined;
    if (metadataCallback) {
      try {
        // A getter: on the Node path the Web `Request` is only built for a callback that reads it.
        metadata = await metadataCallback({
          get request() {
            return input.request;
          },
          locale: body.data.locale,
          context: body.data.context,
        });
      } catch (error) {
        logger.error(`[biometric-flow] the metadata callback threw: ${redact(describeError(error))}`);
        return errorAnswer(500, { code: 'metadata-callback-failed', message: 'The session could not be prepared' }, cors);
      }
    }

    try {
      const session = await createSessionWith(vendor, metadata);
      return jsonAnswer(200, { session_id: session.session_id, technologies: session.technologies }, cors);
    } catch (error) {
      if (error instanceof InvalidMetadataError) {
        logger.error(
          '[biometric-flow] the metadata callback returned invalid session metadata:',
          error.issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; '),
        );
        return errorAnswer(500, { code: 'invalid-metadata', message: 'The session could not be prepared' }, cors);
      }
      if (error instanceof VendorError) {
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        logger.warn(redact(`[biometric-flow] session create failed: ${error.code}: ${error.message}${cause}`));
        return vendorErrorAnswer(error, cors);
      }
      logger.error(`[biometric-flow] session create failed unexpectedly: ${redact(describeError(error))}`);
      return errorAnswer(500, { code: 'internal-error', message: 'The session could not be created' }, cors);
    }
  });
}
