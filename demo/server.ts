/**
 * The demo, as one function: the emulator (unless a real API key is given), a host backend made only
 * of `biometric-flow/server`, and Vite serving `demo/`. `npm start` (scripts/start.mjs) and the
 * end-to-end tests both call {@link startDemo}.
 *
 * Routes on the Vite server:
 * - `POST /api/session` — `createSessionHandler`, one per preset: the page sends `context.preset`, the
 *   backend picks that preset's flow key and builds its metadata. The browser never sees a key.
 * - `GET /api/status?session_id=` — `createStatusHandler` of the flow that session was created with.
 * - `POST /api/webhook/<token>` — `createWebhookHandler` of the flow the event's session was created with,
 *   on that flow's ledger and the status handlers' store: the emulator posts its events here, so a page
 *   waiting for its verdict hears it about one round trip after `flow.end` is confirmed. `<token>` is
 *   made per run (or `webhookToken`); against the real vendor, only with `webhookToken`.
 * - `GET /api/config` — presets, their flows, and where the flow lives; nothing secret.
 * - `GET /api/records` — the host's records of the signed-in demo user: each verdict the verdict ledger
 *   delivered (outcome, via, how long after the flow's end). The user is a cookie (`demo-user`, `alice`
 *   or `bob`, `alice` when unset), as a real host's session would be: the reference of every session.
 * - `/cdn/*` — the CDN build, `dist/cdn/`, for the script-tag page.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createServer as createViteServer, type Plugin } from 'vite';
import { z } from 'zod';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import {
  DEFAULT_API_BASE_URL,
  DEFAULT_WEBHOOK_MAX_BODY_BYTES,
  createHandoffHandler,
  createMemoryStore,
  createSessionHandler,
  createStatusHandler,
  createVerdictLedger,
  createWebhookHandler,
  toNodeListener,
} from '../src/server/index.js';
import type { ReferenceCallback, Verdict, VerdictLedger, WebhookDelivery } from '../src/server/index.js';
import { DEMO_FLOWS, FAILURE_FLOWS, FAILURE_PRESETS, PRESETS, type Preset, type PublicPreset } from './presets.js';

const DEMO_DIR = fileURLToPath(new URL('.', import.meta.url));
const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));
const CDN_DIR = join(PROJECT_DIR, 'dist', 'cdn');
// The ES module loads its chunks from beside itself: the session chunk (every start), the deferred chunk
// (texts and views only some starts need) and the handoff's two.
const CDN_FILES = ['biometric-flow.js', 'biometric-flow-session.js', 'biometric-flow-deferred.js', 'biometric-flow-handoff.js', 'biometric-flow-handoff-view.js', 'biometric-flow.iife.js'];

/** The vendor's hosted flow, the element's `flow-base-url` default. */
export const VENDOR_FLOW_BASE_URL = 'https://remote.biometric.kz';
/** The emulator's usual port; another free one is taken when it is busy (unless a port was asked for). */
export const DEFAULT_EMULATOR_PORT = 8790;
/** Vite's usual port. */
export const DEFAULT_DEMO_PORT = 5173;

export interface DemoLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface DemoOptions {
  /** Port of the demo pages; `0` picks a free one. Default 5173. */
  port?: number;
  /** Whether a busy `port` is an error (otherwise Vite tries the next ones). Default false. */
  strictPort?: boolean;
  /** Interface for the demo and the emulator. Default `127.0.0.1`. */
  host?: string;
  /**
   * Port of the emulator; `0` picks a free one. A port given here that is busy is an error
   * ({@link EmulatorPortInUseError}); by default 8790, or a free one when that is busy.
   */
  emulatorPort?: number;
  /** A real vendor API key: no emulator, every preset creates its session with this key. */
  apiKey?: string;
  /** With `apiKey`: the vendor API's base URL. Default `https://kyc.biometric.kz`. */
  apiBaseUrl?: string;
  /** With `apiKey`: the element's `flow-base-url`. Default `https://remote.biometric.kz`. */
  flowBaseUrl?: string;
  /** Vite's dependency cache; tests pass a directory of their own. */
  cacheDir?: string;
  /** Watch files and reload pages on change (HMR). Default true; tests turn it off. */
  watch?: boolean;
  /** Where the backend logs. Default `console`. */
  logger?: DemoLogger;
  /** Vite's own log level. Default `info`. */
  viteLogLevel?: 'info' | 'warn' | 'error' | 'silent';
  /** How long a handoff link works, in seconds. Default 600 (the handler's); tests shorten it. */
  handoffTtlSeconds?: number;
  /**
   * The secret the webhook URL ends with (`/api/webhook/<token>`, 32 to 256 characters of
   * `A-Z a-z 0-9 - _ . ~`). With the emulator, default one made for this run; with `apiKey`, no webhook
   * route without it (the URL is given to the vendor once, so it must outlive a run).
   */
  webhookToken?: string;
}

export interface Demo {
  /** The demo's URL, e.g. `http://127.0.0.1:5173/`. */
  url: string;
  /** `emulator`, or `vendor` when a real API key is used. */
  backend: 'emulator' | 'vendor';
  /** The emulator's URL, when there is one. */
  emulatorUrl?: string;
  /** The emulator, for tests that look at its sessions. */
  emulator?: Emulator;
  /** Where sessions are created. */
  apiBaseUrl: string;
  /** Where the flow is shown from. */
  flowBaseUrl: string;
  /** Where the vendor's (or the emulator's) webhook posts, token included: a secret, do not log it. */
  webhookUrl?: string;
  /** Stops Vite, the backend and the emulator. */
  close(): Promise<void>;
  /** @internal Vite's dev server, for tests. */
  vite: Awaited<ReturnType<typeof createViteServer>>;
}

/** What `/api/config` answers. */
export interface DemoConfig {
  backend: 'emulator' | 'vendor';
  /** Set only for the emulator; otherwise the element's default applies. */
  flowBaseUrl?: string;
  presets: PublicPreset[];
  /** One per failure reason the emulator acts out (its `fails-<name>` presets); `[]` against the real service. */
  failurePresets: PublicPreset[];
}

/** Flow name → API key. Only ever read on the server. */
type FlowKeys = ReadonlyMap<string, string>;

const sessionBodySchema = z.object({ context: z.object({ preset: z.string() }) });

/** Reads at most `limit` bytes of a body; `undefined` when it is longer (the handler answers 413). */
async function readLimited(request: Request, limit: number): Promise<string | undefined> {
  const reader = request.body?.getReader();
  if (!reader) return '';
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
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function jsonAnswer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** A bounded map: the oldest entries go first. */
class RecentMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }
  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.limit) this.delete(this.keys().next().value as K);
    return this;
  }
}

/** The demo's signed-in users: the `demo-user` cookie picks one, the first when it is unset. */
export const DEMO_USERS = ['alice', 'bob'] as const;
export type DemoUser = (typeof DEMO_USERS)[number];

/** The demo user a request is signed in as: what a host reads from its own session. */
export function demoUserOf(request: Request): DemoUser {
  const named = /(?:^|;\s*)demo-user=([a-z]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
  return DEMO_USERS.find((user) => user === named) ?? DEMO_USERS[0];
}

/** What the demo host wrote into its records for one verdict. */
export interface HostRecord {
  user: string;
  sessionId: string;
  outcome: Verdict['outcome'];
  reasons: string[];
  via: Verdict['via'];
  attempt: number;
  corrects?: 'expired';
  /** ISO 8601. */
  recordedAt: string;
  /** From the flow's end to this record, in ms, when the emulator knows the end. */
  afterEndMs?: number;
}

/** Most host records kept (the oldest go first). */
const MAX_HOST_RECORDS = 200;

/** What the webhook route reads of an event to pick its flow's handler; the handler validates the rest. */
const webhookSessionSchema = z.object({ session_id: z.string() });

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * The demo's host backend: Web handlers made from `biometric-flow/server`, and one verdict ledger per
 * flow key (a ledger asks the vendor with its key) whose `onVerdict` writes the demo's host records.
 *
 * @returns the session, status, webhook, handoff, config and records handlers, and `start`/`stop` of the ledgers.
 */
export function createDemoBackend(options: {
  flowKeys: FlowKeys;
  /** Technologies of each flow, when known (the emulator's). */
  flowTechnologies: ReadonlyMap<string, readonly string[]>;
  apiBaseUrl: string;
  flowBaseUrl?: string;
  backend: 'emulator' | 'vendor';
  /** Signs the status tokens; every handler of the demo shares it. */
  tokenSecret: string;
  /** Where the phone of a handoff is sent: the emulator, or the vendor's flow. */
  handoffFlowBaseUrl: string;
  /** A handoff link's lifetime in seconds; default the handler's (600). */
  handoffTtlSeconds?: number;
  /** When a session's flow ended (the emulator's sessions), for the host records' "after the end". */
  sessionEndedAt?: (sessionId: string) => number | null | undefined;
  /** The webhook URL's last segment (`pathToken`); without it, `/api/webhook` answers 404. */
  webhookToken?: string;
  /** How long a `flow.end` webhook waits, inside its request, for the vendor's result; default the handler's. */
  webhookConfirmWaitMs?: number;
  logger: DemoLogger;
}) {
  const { flowKeys, flowTechnologies, apiBaseUrl, tokenSecret, logger } = options;
  const records: HostRecord[] = [];
  const onVerdict = (verdict: Verdict) => {
    const endedAt = options.sessionEndedAt?.(verdict.sessionId);
    const record: HostRecord = {
      user: verdict.reference,
      sessionId: verdict.sessionId,
      outcome: verdict.outcome,
      reasons: verdict.reasons.map((reason) => reason.code),
      via: verdict.via,
      attempt: verdict.attempt,
      recordedAt: new Date().toISOString(),
      ...(verdict.corrects ? { corrects: verdict.corrects } : {}),
      ...(typeof endedAt === 'number' ? { afterEndMs: Date.now() - endedAt } : {}),
    };
    records.push(record);
    if (records.length > MAX_HOST_RECORDS) records.shift();
    logger.info(`verdict for ${record.user}: ${record.outcome} (session ${record.sessionId}, via ${record.via})`);
  };
  // With a webhook, it brings a closed tab's verdict, and the sweep is what it is at a real host: the
  // fallback for a webhook that never came (the ledger's default interval). Without one, short sweeps, so
  // that such a verdict still shows within seconds here.
  const sweep = options.webhookToken === undefined ? { sweepIntervalMs: 2000 } : {};
  const ledgers = new Map<string, VerdictLedger>(
    [...flowKeys].map(([flow, apiKey]) => [flow, createVerdictLedger({ apiKey, apiBaseUrl, ...sweep, graceSeconds: 30, logger, onVerdict })]),
  );
  const reference: ReferenceCallback = ({ request }) => demoUserOf(request);
  // Against the real service, presets that only the emulator can act out are left out.
  const choices = PRESETS.filter((preset) => options.backend === 'emulator' || !preset.emulatorOnly);
  const failurePresets = options.backend === 'emulator' ? FAILURE_PRESETS : [];
  const presets = [...choices, ...failurePresets];
  const keyOf = (preset: Preset) => {
    const key = flowKeys.get(preset.flow) ?? flowKeys.get('*');
    if (!key) throw new Error(`demo: no API key for flow ${preset.flow}`);
    return key;
  };

  const sessionHandlers = new Map(
    presets.map((preset) => [
      preset.id,
      createSessionHandler({
        apiKey: keyOf(preset),
        apiBaseUrl,
        // The flow_url of its answers: the emulator's flow, or the vendor's.
        flowBaseUrl: options.handoffFlowBaseUrl,
        tokenSecret,
        metadata: () => preset.metadata,
        verdicts: ledgers.get(flowKeys.has(preset.flow) ? preset.flow : '*')!,
        reference,
        logger,
      }),
    ]),
  );
  // One store for the status and webhook handlers, as the instances of a real host share theirs (Redis):
  // the kept answers and the delivered event ids. The ledgers keep their own, one per flow key, since a
  // ledger sweeps every session of its store with its key.
  const store = createMemoryStore();
  const statusHandlers = new Map(
    [...flowKeys].map(([flow, apiKey]) => [flow, createStatusHandler({ apiKey, apiBaseUrl, tokenSecret, store, verdicts: ledgers.get(flow)!, reference, logger })]),
  );
  // The webhook only says what happened: each handler confirms a flow.end with the vendor, with the key of
  // the session's flow, and tells that flow's ledger, whose status handler answers the waiting page.
  const onEvent = ({ event, verdict }: WebhookDelivery) => {
    if (verdict) logger.info(`webhook ${event.event} for session ${event.session_id}: ${verdict.outcome} (confirmed with the vendor)`);
  };
  const webhookToken = options.webhookToken;
  const webhookHandlers =
    webhookToken === undefined
      ? undefined
      : new Map(
          [...flowKeys].map(([flow, apiKey]) => [
            flow,
            createWebhookHandler({
              apiKey,
              apiBaseUrl,
              pathToken: webhookToken,
              verdicts: ledgers.get(flow)!,
              store,
              onEvent,
              logger,
              ...(options.webhookConfirmWaitMs === undefined ? {} : { confirmWaitMs: options.webhookConfirmWaitMs }),
            }),
          ]),
        );
  const anyStatusHandler = statusHandlers.values().next().value!;
  /** Which flow each session was created with: its result needs that flow's key. */
  const sessionFlows = new RecentMap<string, string>(1000);

  const session = async (request: Request): Promise<Response> => {
    const defaultHandler = sessionHandlers.get(presets[0]!.id)!;
    // Method, origin, content type and JSON errors are the library's to answer.
    if (request.method !== 'POST') return defaultHandler(request);
    const text = await readLimited(request.clone(), 16_384);
    let json: unknown;
    try {
      json = text === undefined ? undefined : JSON.parse(text);
    } catch {
      return defaultHandler(request);
    }
    if (json === undefined) return defaultHandler(request);
    const body = sessionBodySchema.safeParse(json);
    const preset = body.success ? presets.find((candidate) => candidate.id === body.data.context.preset) : undefined;
    if (!preset) {
      return jsonAnswer(400, {
        error: { code: 'unknown-preset', message: `Send context.preset, one of: ${presets.map((p) => p.id).join(', ')}` },
      });
    }
    const response = await sessionHandlers.get(preset.id)!(request);
    if (response.ok) {
      const created = (await response.clone().json()) as { session_id: string };
      const flow = flowKeys.has(preset.flow) ? preset.flow : '*';
      sessionFlows.set(created.session_id.toLowerCase(), flow);
      logger.info(`session ${created.session_id}: preset "${preset.id}", flow "${preset.flow}"`);
    }
    return response;
  };

  // A session this demo did not make goes to any status handler too: without a token of its own it is
  // refused (401) before anything is asked of the vendor, as any stranger's request is.
  const status = async (request: Request): Promise<Response> => {
    const id = new URL(request.url).searchParams.get('session_id') ?? '';
    const flow = sessionFlows.get(id.toLowerCase());
    return (flow ? statusHandlers.get(flow)! : anyStatusHandler)(request);
  };

  // An event names its session in the body only: read it to pick the session's flow. A request without the
  // token goes to a handler unread, which refuses it as it does every stranger.
  const webhook = async (request: Request): Promise<Response> => {
    if (!webhookHandlers || webhookToken === undefined) return jsonAnswer(404, { error: { code: 'not-found', message: 'No webhook here' } });
    const anyWebhookHandler = webhookHandlers.values().next().value!;
    const segment = new URL(request.url).pathname.split('/').pop() ?? '';
    if (webhookHandlers.size === 1 || request.method !== 'POST' || !timingSafeEqual(sha256(segment), sha256(webhookToken))) {
      return anyWebhookHandler(request);
    }
    const text = await readLimited(request.clone(), DEFAULT_WEBHOOK_MAX_BODY_BYTES);
    let json: unknown;
    try {
      json = text === undefined ? undefined : JSON.parse(text);
    } catch {
      return anyWebhookHandler(request);
    }
    const event = webhookSessionSchema.safeParse(json);
    const flow = event.success ? sessionFlows.get(event.data.session_id.toLowerCase()) : undefined;
    return (flow ? webhookHandlers.get(flow)! : anyWebhookHandler)(request);
  };

  const publicPreset = (preset: Preset): PublicPreset => ({
    id: preset.id,
    label: preset.label,
    description: preset.description,
    flow: {
      name: flowTechnologies.has(preset.flow) ? preset.flow : 'the flow of BIOMETRIC_API_KEY',
      technologies: [...(flowTechnologies.get(preset.flow) ?? [])],
    },
    sends: preset.sends,
  });
  const configBody: DemoConfig = {
    backend: options.backend,
    presets: choices.map(publicPreset),
    failurePresets: failurePresets.map(publicPreset),
  };
  if (options.flowBaseUrl) configBody.flowBaseUrl = options.flowBaseUrl;
  // Continue on a phone: the link's page names the site and sends the phone to the flow.
  const handoff = createHandoffHandler({
    tokenSecret,
    flowBaseUrl: options.handoffFlowBaseUrl,
    siteName: 'biometric-flow demo',
    logger,
    ...(options.handoffTtlSeconds === undefined ? {} : { ttlSeconds: options.handoffTtlSeconds }),
  });

  const config = async (request: Request): Promise<Response> =>
    request.method === 'GET' ? jsonAnswer(200, configBody) : jsonAnswer(405, { error: { code: 'method-not-allowed', message: 'GET only' } });

  // The signed-in user's own records only, newest first.
  const hostRecords = async (request: Request): Promise<Response> => {
    if (request.method !== 'GET') return jsonAnswer(405, { error: { code: 'method-not-allowed', message: 'GET only' } });
    const user = demoUserOf(request);
    return jsonAnswer(200, { user, users: DEMO_USERS, records: records.filter((record) => record.user === user).reverse() });
  };

  return {
    session,
    status,
    webhook,
    handoff,
    config,
    records: hostRecords,
    /** Starts the ledgers' sweeps. */
    start: () => {
      for (const ledger of ledgers.values()) ledger.start();
    },
    /** Stops them; resolves once their work in flight has ended. */
    stop: async () => {
      await Promise.all([...ledgers.values()].map((ledger) => ledger.stop()));
    },
  };
}

/** Serves the CDN build from dist/cdn, only the files the build writes. */
async function serveCdn(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const name = decodeURIComponent(new URL(req.url ?? '/', 'http://demo').pathname.replace(/^\//, ''));
  const known = CDN_FILES.flatMap((file) => [file, `${file}.map`]);
  if (!known.includes(name) || !existsSync(join(CDN_DIR, name))) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`Not found: /cdn/${name}. Run npm run build (npm start does it for you).\n`);
    return;
  }
  const body = await readFile(join(CDN_DIR, name));
  res.writeHead(200, {
    'content-type': name.endsWith('.map') ? 'application/json; charset=utf-8' : 'text/javascript; charset=utf-8',
    'cache-control': 'no-cache',
  });
  res.end(body);
}

/**
 * What `/frameworks/…` answers under `npm start`: the framework apps are built against the packed package
 * (demo/frameworks/build.ts), not served from source; Vite without their plugins would show an error.
 */
const FRAMEWORKS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Framework apps — biometric-flow demo</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/demo.css"></head>
<body><main>
<p><a href="/">← biometric-flow demo</a></p>
<h1>Framework apps</h1>
<p>The React 18, React 19 and Vue 3 apps in <code>demo/frameworks/</code> are not served by <code>npm start</code>:
they are built with Vite against the packed package (<code>npm pack</code>), the way an app that installs it gets it,
by <code>test/e2e/frameworks.test.ts</code>. See <code>demo/frameworks/README.md</code>.</p>
<p>Apps made by each framework's own tooling (Next.js, React, Vue, Angular, plain HTML, Express, Fastify, Hono) are in
<code>examples/</code>, each with a README that says how to run it.</p>
</main></body>
</html>
`;

type DemoBackend = ReturnType<typeof createDemoBackend>;

/**
 * The demo's routes on Vite. `backend` is a promise: with the emulator, Vite listens first, so that the
 * emulator is started knowing the webhook's URL; a request that comes in between waits for the backend.
 */
function backendPlugin(backend: Promise<DemoBackend>, logger: DemoLogger): Plugin {
  const nodeOptions = { logger };
  const route = (pick: (ready: DemoBackend) => (request: Request) => Promise<Response>) =>
    toNodeListener(async (request) => pick(await backend)(request), nodeOptions);
  return {
    name: 'biometric-flow-demo-backend',
    // The pages' <script type="module" src="/cdn/…"> is served by the /cdn middleware below; Vite also
    // transforms a page's module scripts ahead of the request, looked for under demo/, and would log a
    // "Pre-transform error" for a file that is not there. It finds the built file instead.
    resolveId(id) {
      const name = id.startsWith('/cdn/') ? id.slice('/cdn/'.length).split('?')[0]! : undefined;
      return name !== undefined && CDN_FILES.includes(name) ? join(CDN_DIR, name) : undefined;
    },
    configureServer(server) {
      server.middlewares.use('/frameworks', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
        res.end(FRAMEWORKS_PAGE);
      });
      server.middlewares.use('/api/session', route((ready) => ready.session));
      server.middlewares.use('/api/status', route((ready) => ready.status));
      server.middlewares.use('/api/webhook', route((ready) => ready.webhook));
      server.middlewares.use('/api/handoff', route((ready) => ready.handoff));
      server.middlewares.use('/api/config', route((ready) => ready.config));
      server.middlewares.use('/api/records', route((ready) => ready.records));
      server.middlewares.use('/cdn', (req, res) => {
        serveCdn(req, res).catch((error: unknown) => {
          logger.error('demo: /cdn failed', error);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      });
    },
  };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Whether dist/cdn is missing or older than anything in src/. */
export function cdnBuildIsStale(): boolean {
  const files = CDN_FILES.map((name) => join(CDN_DIR, name));
  if (!files.every((file) => existsSync(file))) return true;
  const built = Math.min(...files.map((file) => statSync(file).mtimeMs));
  return newestMtime(join(PROJECT_DIR, 'src')) > built;
}

/**
 * Runs `npm run build` (scripts/build.mjs) when dist/cdn is missing or older than src/.
 *
 * @returns whether it built.
 * @throws when the build fails; its output is in the message when `quiet`.
 */
export async function ensureCdnBuild(options: { quiet?: boolean } = {}): Promise<boolean> {
  if (!cdnBuildIsStale()) return false;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_DIR, 'scripts', 'build.mjs')], {
      cwd: PROJECT_DIR,
      stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    const output: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run build failed (exit ${code})\n${Buffer.concat(output)}`)),
    );
  });
  return true;
}

/** How long the emulator's result stays `{}` after a flow ends: the vendor's result lags (docs/vendor.md §6). */
export const DEMO_RESULT_DELAY_MS = 3000;

/** The error of an emulator port that was asked for and is taken: `code` `EADDRINUSE`, `port` the port. */
export class EmulatorPortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(readonly port: number) {
    super(`the emulator's port ${port} is in use`);
    this.name = 'EmulatorPortInUseError';
  }
}

/** A webhook path token as `createWebhookHandler` takes it: checked at start rather than at the first webhook. */
const webhookTokenSchema = z.string().regex(/^[A-Za-z0-9\-_.~]{32,256}$/, 'webhookToken (BIOMETRIC_WEBHOOK_TOKEN) must be 32 to 256 characters of A-Z a-z 0-9 - _ . ~');

/**
 * The emulator's `flow.end` comes as its flow ends, before the result it lags by
 * {@link DEMO_RESULT_DELAY_MS}, as the vendor's result does: the demo's webhook waits that out within the
 * request, so the webhook brings the verdict rather than its retry seconds later.
 */
const DEMO_WEBHOOK_CONFIRM_WAIT_MS = DEMO_RESULT_DELAY_MS + 2000;

/**
 * Starts the emulator on `port`; when that is the default one and busy, on a free one instead. A port
 * that was asked for (`strict`) and is busy is an error: whatever points at it would reach another server.
 * It posts its events to `webhookUrl`.
 */
async function startDemoEmulator(port: number, host: string, strict: boolean, webhookUrl: string): Promise<Emulator> {
  const flows = [...DEMO_FLOWS, ...FAILURE_FLOWS].map((flow) => ({ ...flow, technologies: [...flow.technologies] }));
  const options = { host, flows, resultDelayMs: DEMO_RESULT_DELAY_MS, webhooks: [webhookUrl] };
  try {
    return await startEmulator({ ...options, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
    if (strict) throw new EmulatorPortInUseError(port);
    return startEmulator({ ...options, port: 0 });
  }
}

/**
 * Starts the demo: Vite first, then (without `apiKey`) the emulator, told the webhook's URL on Vite, then
 * the backend on the emulator's keys.
 *
 * @returns the running demo once every server listens.
 * @throws when a server cannot start, or `webhookToken` is malformed; whatever had started is stopped first.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? console;
  const realKey = options.apiKey;
  // Status tokens are signed with this: BIOMETRIC_TOKEN_SECRET, else one made for this run.
  const tokenSecret = process.env.BIOMETRIC_TOKEN_SECRET ?? randomBytes(32).toString('base64url');
  if (options.webhookToken !== undefined) {
    const checked = webhookTokenSchema.safeParse(options.webhookToken);
    if (!checked.success) throw new TypeError(checked.error.issues[0]!.message);
  }
  // The emulator's webhook needs no URL that outlives the run; the vendor's is set once in its dashboard.
  const webhookToken = options.webhookToken ?? (realKey ? undefined : randomBytes(32).toString('base64url'));
  const shared = {
    tokenSecret,
    logger,
    ...(webhookToken === undefined ? {} : { webhookToken }),
    ...(options.handoffTtlSeconds === undefined ? {} : { handoffTtlSeconds: options.handoffTtlSeconds }),
  };
  let emulator: Emulator | undefined;
  let backend: DemoBackend | undefined;
  let apiBaseUrl: string;
  let flowBaseUrl: string;
  let settle!: { resolve: (ready: DemoBackend) => void; reject: (error: unknown) => void };
  const backendReady = new Promise<DemoBackend>((resolve, reject) => (settle = { resolve, reject }));
  // A start that fails answers the requests that waited for the backend with 500; nobody else awaits it.
  backendReady.catch(() => undefined);

  if (realKey) {
    apiBaseUrl = options.apiBaseUrl ?? DEFAULT_API_BASE_URL;
    flowBaseUrl = options.flowBaseUrl ?? VENDOR_FLOW_BASE_URL;
    backend = createDemoBackend({
      ...shared,
      flowKeys: new Map([['*', realKey]]),
      flowTechnologies: new Map(),
      apiBaseUrl,
      ...(options.flowBaseUrl ? { flowBaseUrl: options.flowBaseUrl } : {}),
      backend: 'vendor',
      handoffFlowBaseUrl: flowBaseUrl,
    });
    backend.start();
    settle.resolve(backend);
  }

  const watch = options.watch ?? true;
  let vite: Awaited<ReturnType<typeof createViteServer>> | undefined;
  const signalListeners = new Set(process.listeners('SIGTERM'));
  let url: string;
  let webhookUrl: string | undefined;
  try {
    vite = await createViteServer({
      configFile: false,
      root: DEMO_DIR,
      appType: 'mpa',
      clearScreen: false,
      logLevel: options.viteLogLevel ?? 'info',
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : { cacheDir: join(PROJECT_DIR, 'node_modules', '.vite-demo') }),
      server: {
        host,
        port: options.port ?? DEFAULT_DEMO_PORT,
        strictPort: options.strictPort ?? false,
        fs: { allow: [PROJECT_DIR] },
        ...(watch ? {} : { watch: null, hmr: false }),
      },
      plugins: [backendPlugin(backendReady, logger)],
    });
    // Vite exits the process on SIGTERM by itself, before the emulator is closed; whoever runs the demo
    // decides about signals (scripts/start.mjs closes everything, then exits).
    for (const listener of process.listeners('SIGTERM')) {
      if (!signalListeners.has(listener)) process.off('SIGTERM', listener);
    }
    await vite.listen();
    const address = vite.httpServer!.address() as AddressInfo;
    url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`;
    if (webhookToken !== undefined) webhookUrl = `${url}api/webhook/${webhookToken}`;
    if (!realKey) {
      emulator = await startDemoEmulator(options.emulatorPort ?? DEFAULT_EMULATOR_PORT, host, options.emulatorPort !== undefined, webhookUrl!);
      const started = emulator;
      apiBaseUrl = emulator.url;
      flowBaseUrl = emulator.url;
      backend = createDemoBackend({
        ...shared,
        flowKeys: new Map(emulator.flows.map((flow) => [flow.name, flow.apiKey])),
        flowTechnologies: new Map(emulator.flows.map((flow) => [flow.name, flow.technologies])),
        apiBaseUrl,
        flowBaseUrl,
        backend: 'emulator',
        handoffFlowBaseUrl: flowBaseUrl,
        sessionEndedAt: (sessionId) => started.sessions.get(sessionId)?.endedAt,
        webhookConfirmWaitMs: DEMO_WEBHOOK_CONFIRM_WAIT_MS,
      });
      backend.start();
      settle.resolve(backend);
    }
  } catch (error) {
    settle.reject(error);
    await vite?.close();
    await backend?.stop();
    await emulator?.close();
    throw error;
  }
  const ready = backend!;

  let closed: Promise<void> | undefined;
  const demo: Demo = {
    url,
    backend: realKey ? 'vendor' : 'emulator',
    apiBaseUrl: apiBaseUrl!,
    flowBaseUrl: flowBaseUrl!,
    vite,
    close: () => {
      closed ??= (async () => {
        await vite.close();
        await ready.stop();
        await emulator?.close();
      })();
      return closed;
    },
  };
  if (webhookUrl !== undefined) demo.webhookUrl = webhookUrl;
  if (emulator) {
    demo.emulator = emulator;
    demo.emulatorUrl = emulator.url;
  }
  return demo;
}
