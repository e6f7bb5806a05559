/**
 * The emulator's HTTP routes (Hono):
 * - `POST /api/v1/flows/session/create/` and `GET /api/v1/flows/session/result/` — the vendor's API
 *   (docs/vendor.md §1, §5), for servers: a request from a browser origin other than `allowedOrigins` is
 *   refused (403) and gets no CORS headers;
 * - `GET /flow/:id`, `POST /flow/:id/events`, `GET /finished` — the hosted flow (docs/vendor.md §4).
 *
 * Error answers are `{ detail }` (plus `errors: [{ path, message }]` for bad metadata). The vendor does
 * not document its own, so these are the emulator's choices: 400 bad input, 401 missing or unknown key,
 * 403 a key of another flow (or a refused origin), 404 unknown session, 413 a body over its limit
 * (`maxBodyBytes` for the session create, {@link EVENT_BODY_LIMIT} for flow events; the other routes
 * read no body). A flow's `createError` / `resultError` answers with the vendor's own status and
 * `{ detail: <vendor text> }` (docs/vendor.md §6), after the key check.
 *
 * Metadata for a technology the flow does not have is refused with 400 (`rejectUnusedMetadata`, on by
 * default): the vendor says face2face metadata "works only" for flows with Face2Face after Liveness,
 * E-Document or Document Recognition, and edocument metadata can only matter to a flow with E-Document.
 * A host sending either to another flow has a bug that is best found against the emulator.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { cors } from 'hono/cors';
import { z } from 'zod';
import {
  formatIssues,
  sessionIdSchema,
  sessionMetadataSchema,
  technologyCodeSchema,
  type FormattedIssue,
  type SessionMetadata,
} from '../server/metadata.js';
import type { EmulatorFlow } from './flows.js';
import {
  contentSecurityPolicy,
  edocumentView,
  renderFlowPage,
  FLOW_ATTEMPT_COOKIE,
  type FlowPageInput,
  renderMessagePage,
  type MessagePageKind,
} from './flow-page.js';
import { parseLocale, type FlowLocale } from './i18n.js';
import type { EmulatorLogger } from './logger.js';
import type { SessionStore } from './session-store.js';
import { VENDOR_ERROR_NAMES, VENDOR_ERRORS, type VendorErrorName } from './vendor-errors.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface EmulatorAppContext {
  flows: readonly EmulatorFlow[];
  store: SessionStore;
  webhooks: WebhookDispatcher;
  /** Webhook URLs of a flow. */
  webhookUrls: (flow: EmulatorFlow) => readonly string[];
  latencyMs: number;
  /** How long a result request the `resultTimeoutRate` fault chose hangs. */
  resultHangMs: number;
  rejectUnusedMetadata: boolean;
  /** Browser origins allowed to call the API (CORS); others are refused. */
  allowedOrigins: readonly string[];
  /** Largest session-create body accepted, in bytes. */
  maxBodyBytes: number;
  /** Aborted when the emulator closes; ends pending latency waits. */
  signal: AbortSignal;
  logger: EmulatorLogger;
}

const CREATE_PATH = '/api/v1/flows/session/create/';
const RESULT_PATH = '/api/v1/flows/session/result/';

/** Largest flow event body: an event is a few hundred bytes. */
export const EVENT_BODY_LIMIT = 16 * 1024;

/** Technologies after which Face2Face metadata works (docs/vendor.md §2). */
const FACE2FACE_SOURCES = ['LD', 'LDHP', 'LDD', 'ED', 'DR'];

const flowEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('technology.start'),
    technology_code: technologyCodeSchema,
    attempt: z.string().max(64).optional(),
  }),
  z
    .object({
      type: z.literal('technology.end'),
      technology_code: technologyCodeSchema,
      success: z.boolean(),
      failure_reason: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,63}$/)
        .optional(),
      vendor_error: z.enum(VENDOR_ERROR_NAMES).optional(),
      details: z
        .object({
          iin: z
            .string()
            .regex(/^\d{12}$/)
            .optional(),
          phone: z
            .string()
            .regex(/^77\d{9}$/)
            .optional(),
          reference: z.enum(['photo1', 'document', 'edocument']).optional(),
        })
        .optional(),
      attempt: z.string().max(64).optional(),
    })
    .refine((event) => !event.success || event.vendor_error === undefined, {
      path: ['vendor_error'],
      message: 'A vendor error comes only with success: false',
    }),
  z.object({ type: z.literal('flow.end'), attempt: z.string().max(64).optional() }),
]);

/** @returns the Hono app of one emulator. */
export function createEmulatorApp(ctx: EmulatorAppContext): Hono {
  const app = new Hono();
  const flowsByKey = new Map(ctx.flows.map((flow) => [flow.apiKey, flow]));

  app.use(
    '/api/*',
    async (c, next) => {
      const origin = c.req.header('origin');
      if (origin !== undefined && !ctx.allowedOrigins.includes(origin)) {
        return c.json({ detail: 'This origin may not call the API; the API is for servers.' }, 403);
      }
      await next();
      return undefined;
    },
    cors({ origin: [...ctx.allowedOrigins], allowMethods: ['GET', 'POST', 'OPTIONS'], maxAge: 600 }),
    async (c, next) => {
      if (ctx.latencyMs > 0) {
        try {
          await sleep(ctx.latencyMs, undefined, { signal: ctx.signal });
        } catch {
          return c.json({ detail: 'The emulator is shutting down.' }, 503);
        }
      }
      await next();
      return undefined;
    },
  );

  app.post(CREATE_PATH, async (c) => {
    // The vendor's own browser example sends no Content-Type, so the body is JSON whatever it says.
    const text = await readText(c.req.raw, ctx.maxBodyBytes);
    if (text === undefined) return tooLarge(c, ctx.maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return c.json({ detail: 'JSON parse error: the body must be a JSON object.' }, 400);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return c.json({ detail: 'The body must be a JSON object.' }, 400);
    }
    const { api_key: apiKey, metadata: rawMetadata } = body as Record<string, unknown>;
    if (apiKey === undefined || apiKey === null || apiKey === '') {
      return invalid(c, 'api_key: this field is required.', [{ path: 'api_key', message: 'This field is required.' }]);
    }
    if (typeof apiKey !== 'string') {
      return invalid(c, 'api_key: must be a string.', [{ path: 'api_key', message: 'Must be a string.' }]);
    }
    const flow = flowsByKey.get(apiKey);
    if (!flow) return c.json({ detail: 'Invalid API key.' }, 401);
    if (flow.createError) return vendorError(c, ctx, `session create for "${flow.name}"`, flow.createError);

    let metadata: SessionMetadata | null = null;
    if (rawMetadata !== undefined && rawMetadata !== null) {
      const parsed = sessionMetadataSchema.safeParse(rawMetadata);
      if (!parsed.success) {
        const errors = formatIssues(parsed.error).map((issue) => ({
          path: issue.path ? `metadata.${issue.path}` : 'metadata',
          message: issue.message,
        }));
        return invalid(c, `Invalid metadata: ${describe(errors)}`, errors);
      }
      metadata = parsed.data;
      const unused = ctx.rejectUnusedMetadata ? unusedMetadata(flow, metadata) : [];
      if (unused.length > 0) return invalid(c, `Invalid metadata: ${describe(unused)}`, unused);
    }

    const session = ctx.store.create(flow, metadata);
    ctx.logger.info(`session ${session.id} created for "${flow.name}" (${flow.technologies.join(', ')})`);
    return c.json({ session_id: session.id, technologies: [...session.technologies] });
  });

  app.get(RESULT_PATH, async (c) => {
    const sessionId = c.req.query('session_id');
    const apiKey = c.req.query('flow_api_key');
    if (!apiKey) return c.json({ detail: 'flow_api_key: this query parameter is required.' }, 401);
    const flow = flowsByKey.get(apiKey);
    if (!flow) return c.json({ detail: 'Invalid API key.' }, 401);
    if (flow.resultError) return vendorError(c, ctx, `result for "${flow.name}"`, flow.resultError);
    if (!sessionId) return c.json({ detail: 'session_id: this query parameter is required.' }, 400);
    if (!sessionIdSchema.safeParse(sessionId).success) {
      return c.json({ detail: 'session_id: must be a UUID.' }, 400);
    }
    const session = ctx.store.get(sessionId.toLowerCase());
    if (!session) return c.json({ detail: 'Session not found.' }, 404);
    if (session.flow !== flow) return c.json({ detail: 'This session belongs to another flow.' }, 403);
    const fate = session.faults.nextResult();
    if (fate.kind === 'error') {
      ctx.logger.info(`fault: result for session ${session.id} answered ${fate.status}`);
      return serverError(c, fate.status);
    }
    if (fate.kind === 'timeout') {
      ctx.logger.info(`fault: result for session ${session.id} hangs for ${ctx.resultHangMs} ms`);
      // Until the client gives up or the emulator closes, whichever comes first.
      await sleep(ctx.resultHangMs, undefined, { signal: AbortSignal.any([ctx.signal, c.req.raw.signal]) }).catch(() => undefined);
      return serverError(c, 504);
    }
    return c.json(ctx.store.result(session));
  });

  app.get('/flow/:id', (c) => {
    const locale = parseLocale(c.req.query('locale'));
    const session = findSession(ctx.store, c.req.param('id'));
    if (!session) return page(c, 404, locale, 'notFound');
    const phase = ctx.store.phaseOf(session);
    if (phase === 'expired') return page(c, 410, locale, 'expired');
    if (phase === 'finished' || phase === 'failed') return page(c, 410, locale, 'used');
    let resume: FlowPageInput['resume'];
    if (phase === 'in_progress') {
      // The window that claimed the session, opened again (a reload of the host page): its page kept its
      // attempt in a cookie, and goes on where the session is. Any other window is refused.
      const attempt = getCookie(c, FLOW_ATTEMPT_COOKIE);
      if (attempt === undefined || attempt !== session.attempt) return page(c, 409, locale, 'inProgress');
      const code = session.technologies[session.index];
      resume = { index: session.index, running: session.running, ...(session.running && code ? stepData(session.metadata, code) : {}) };
    }
    const nonce = newNonce();
    const html = renderFlowPage({
      nonce,
      locale,
      sessionId: session.id,
      technologies: session.technologies,
      attempt: resume ? session.attempt! : randomUUID(),
      finishedUrl: `/finished?locale=${locale}`,
      eventsUrl: `/flow/${session.id}/events`,
      ...(resume ? { resume } : {}),
    });
    return htmlAnswer(c, 200, html, nonce);
  });

  app.post('/flow/:id/events', async (c) => {
    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin) {
      return c.json({ detail: 'Events are accepted only from the flow page itself.' }, 403);
    }
    const session = findSession(ctx.store, c.req.param('id'));
    if (!session) return c.json({ detail: 'Session not found.', code: 'session_not_found' }, 404);
    const text = await readText(c.req.raw, EVENT_BODY_LIMIT);
    if (text === undefined) return tooLarge(c, EVENT_BODY_LIMIT);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return c.json({ detail: 'JSON parse error.' }, 400);
    }
    const parsed = flowEventSchema.safeParse(raw);
    if (!parsed.success) {
      const errors = formatIssues(parsed.error);
      return invalid(c, `Invalid event: ${describe(errors)}`, errors);
    }
    const outcome = ctx.store.apply(session.id, parsed.data);
    if (!outcome.ok) {
      ctx.logger.warn(`session ${session.id}: refused ${parsed.data.type}: ${outcome.detail}`);
      return c.json({ detail: outcome.detail, code: outcome.code }, outcome.status);
    }
    const urls = ctx.webhookUrls(session.flow);
    for (const request of outcome.webhooks) {
      ctx.logger.info(`session ${session.id}: ${request.event}${describeWebhookData(request.data)}`);
      if (urls.length === 0) continue;
      // The vendor sends flow.end once its result is final (its `session_result` is the final one, and
      // the guide's example has it about 3 s after the last technology.end): after the result delay,
      // and late for a session finished after its expiry; at once when the early flow.end fault chose it.
      const flowEnd = request.event === 'flow.end';
      const early = flowEnd && session.faults.earlyFlowEnd && !session.faults.finishAfterExpiry;
      const readyAt = flowEnd && !early ? ctx.store.resultReadyAt(session) : null;
      if (readyAt !== null && session.faults.finishAfterExpiry) {
        ctx.logger.info(`fault: session ${session.id} finishes after its expiry: flow.end and its result wait until ${new Date(readyAt).toISOString()}`);
      }
      if (early) ctx.logger.info(`fault: session ${session.id}: flow.end sent before its result is final`);
      ctx.webhooks.enqueue(
        urls,
        ctx.webhooks.envelope({
          event: request.event,
          session_id: session.id,
          success: request.success,
          flow_name: session.flow.name,
          metadata: session.metadata ?? {},
          data: request.data,
        }),
        { fate: session.faults.nextWebhook, ...(readyAt === null ? {} : { notBefore: readyAt }) },
      );
    }
    return c.json({
      status: ctx.store.statusOf(session),
      phase: ctx.store.phaseOf(session),
      ...(parsed.data.type === 'technology.start' ? stepData(session.metadata, parsed.data.technology_code) : {}),
      // A flow's `failWith` may fail a step the page passed: the page ends the flow on `success: false`.
      ...(parsed.data.type === 'technology.end' ? { success: session.outcomes.at(-1)!.success } : {}),
    });
  });

  // Browsers ask for it on every page; a 404 would be noise in their consoles.
  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get('/finished', (c) => page(c, 200, parseLocale(c.req.query('locale')), 'finished'));

  app.get('/', (c) =>
    c.json({
      name: 'biometric-flow emulator',
      flows: ctx.flows.map((flow) => ({ name: flow.name, technologies: flow.technologies })),
      api: [CREATE_PATH, RESULT_PATH],
      // web_view=true in a host's frame or popup; without it, a phone browser's own page (a handoff).
      flow: '/flow/<session_id>?web_view=true&locale=ru|kz|en',
    }),
  );

  app.notFound((c) => {
    if (c.req.path.startsWith('/api/')) return c.json({ detail: 'Not found.' }, 404);
    return page(c, 404, parseLocale(c.req.query('locale')), 'notFound');
  });

  app.onError((error, c) => {
    ctx.logger.error(`${c.req.method} ${c.req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return c.json({ detail: 'Internal server error.' }, 500);
  });

  return app;
}

/**
 * Reads a request body of at most `limit` bytes. Hono's `bodyLimit` cannot be used: it rebuilds the
 * request with the global `Request`, which the emulator leaves alone (`overrideGlobalObjects: false`).
 *
 * @returns the body as UTF-8 text, or `undefined` as soon as it is known to be longer than `limit`.
 */
async function readText(request: Request, limit: number): Promise<string | undefined> {
  if (Number(request.headers.get('content-length') ?? 0) > limit) return undefined;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * What a step needs of the session's metadata, given in the answer to its accepted `technology.start`
 * rather than in the page: whoever holds a session id can load the page, but only the window that
 * claimed the session gets its steps started, and a claim shows (the person sees "in progress").
 */
function stepData(metadata: SessionMetadata | null, code: string): Record<string, unknown> {
  if (code === 'ED') return { edocument: edocumentView(metadata?.edocument ?? null) };
  if (code === 'F2F') return { photo1: metadata?.face2face?.photo1 ?? null };
  return {};
}

function tooLarge(c: Context, limit: number): Response {
  // The rest of the body is left unread on the connection, so it cannot carry another request.
  return c.json({ detail: `Request body too large: at most ${limit} bytes.` }, 413, { connection: 'close' });
}

/** The vendor's answer for one of its errors: its status and `{ detail: <its raw text> }`. */
function vendorError(c: Context, ctx: EmulatorAppContext, what: string, name: VendorErrorName): Response {
  const { status, text } = VENDOR_ERRORS[name];
  ctx.logger.info(`${what}: answering the vendor error ${status} "${text}"`);
  return c.json({ detail: text }, status);
}

/**
 * A server error of the `resultErrorRate` / `resultTimeoutRate` faults, shaped as it would reach a host:
 * a 500 from the application (JSON), the others from the proxy in front of it (nginx's HTML page).
 */
function serverError(c: Context, status: 500 | 502 | 503 | 504): Response {
  if (status === 500) return c.json({ detail: 'A server error occurred.' }, 500);
  const title = `${status} ${STATUS_TEXTS[status]}`;
  const top = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n`;
  return c.html(`${top}<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`, status);
}

const STATUS_TEXTS = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' } as const;

function invalid(c: Context, detail: string, errors: FormattedIssue[]): Response {
  return c.json({ detail, errors }, 400);
}

function describe(errors: readonly FormattedIssue[]): string {
  return errors.map((error) => `${error.path || '(root)'}: ${error.message}`).join('; ');
}

function describeWebhookData(data: Record<string, unknown>): string {
  const code = data['technology_code'];
  return typeof code === 'string' ? ` ${code}` : '';
}

/** Metadata blocks for technologies the flow does not have. */
function unusedMetadata(flow: EmulatorFlow, metadata: SessionMetadata): FormattedIssue[] {
  const issues: FormattedIssue[] = [];
  const has = (code: string) => flow.technologies.includes(code);
  if (metadata.face2face !== undefined && !(has('F2F') && FACE2FACE_SOURCES.some(has))) {
    issues.push({
      path: 'metadata.face2face',
      message: `face2face metadata works only for flows with Face2Face after Liveness, E-Document or Document Recognition; this flow has ${flow.technologies.join(', ')}`,
    });
  }
  if (metadata.edocument !== undefined && !has('ED')) {
    issues.push({
      path: 'metadata.edocument',
      message: `edocument metadata works only for flows with E-Document (ED); this flow has ${flow.technologies.join(', ')}`,
    });
  }
  return issues;
}

function findSession(store: SessionStore, id: string) {
  if (!sessionIdSchema.safeParse(id).success) return undefined;
  return store.get(id.toLowerCase());
}

function newNonce(): string {
  return randomBytes(16).toString('base64');
}

function htmlAnswer(c: Context, status: 200 | 404 | 409 | 410, html: string, nonce: string): Response {
  // No X-Frame-Options and no frame-ancestors: the flow is framed by hosts of any origin.
  c.header('Content-Security-Policy', contentSecurityPolicy(nonce));
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
  c.header('Cache-Control', 'no-store');
  return c.html(html, status);
}

function page(c: Context, status: 200 | 404 | 409 | 410, locale: FlowLocale, kind: MessagePageKind): Response {
  const nonce = newNonce();
  return htmlAnswer(c, status, renderMessagePage(kind, locale, nonce), nonce);
}
