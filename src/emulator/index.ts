/**
 * `biometric-flow/emulator`: a local stand-in for the Biometric.Vision service (docs/vendor.md) — its
 * session API, result endpoint, webhooks and hosted flow — for demos and tests.
 *
 * ```ts
 * const emulator = await startEmulator({ webhooks: ['http://127.0.0.1:3000/webhook'] });
 * const { apiKey } = emulator.flows[0];           // "Флоу для всех": LD, F2F; a new random key per start
 * // POST `${emulator.url}/api/v1/flows/session/create/` { api_key: apiKey }
 * // open `${emulator.url}/flow/<session_id>?web_view=true&locale=ru`
 * await emulator.close();
 * ```
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { z } from 'zod';
import { createEmulatorApp } from './app.js';
import { faultsEnabled, resolveFaults, type EmulatorFaults } from './faults.js';
import { resolveFlows, type EmulatorFlow, type EmulatorFlowInput } from './flows.js';
import { toLogger, type EmulatorLogger } from './logger.js';
import { SessionStore, type SessionSnapshot } from './session-store.js';
import { WebhookDispatcher, type WebhookRetryOptions } from './webhooks.js';

export type { EmulatorFaults } from './faults.js';
export { DEFAULT_FLOWS, type EmulatorFlow, type EmulatorFlowInput } from './flows.js';
export { VENDOR_ERRORS, VENDOR_ERROR_NAMES, type VendorErrorName, type VendorErrorSpec } from './vendor-errors.js';
export { FLOW_FAILURES, FLOW_FAILURE_NAMES, type FlowFailureName, type FlowFailureSpec, type FlowFailureStep } from './flow-failures.js';
export type { EmulatorLogger } from './logger.js';
export type { SessionPhase, SessionSnapshot, SessionStatus, TechnologyOutcome } from './session-store.js';
export type { WebhookEnvelope, WebhookRetryOptions } from './webhooks.js';
export type { FlowLocale } from './i18n.js';

export interface EmulatorOptions {
  /** TCP port; `0` (the default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /**
   * Flows to serve. Default: the three flows of the vendor's example table ({@link DEFAULT_FLOWS}).
   * A flow without `apiKey` gets a new random one on every start.
   */
  flows?: readonly EmulatorFlowInput[];
  /**
   * Webhook URLs every flow posts its events to (docs/vendor.md §5), in order per session and URL, each
   * URL on its own queue: one listed twice gets every event twice. Retried per `webhookRetry`.
   */
  webhooks?: readonly string[];
  /** Delay before every API answer (session create, result), in ms. Default 0. */
  latencyMs?: number;
  /** Lifetime of an unfinished session, from its creation. Default 30 minutes. */
  sessionTtlMs?: number;
  /**
   * How long after a flow ends the result endpoint answers `{}` ("still processing", as the vendor's
   * does for several seconds, docs/vendor.md §6) before the final result; the `flow.end` webhook goes
   * then, with that result. Default 0; the CLI's is 3000.
   */
  resultDelayMs?: number;
  /**
   * Browser origins allowed to call the API (`https://host.example`). Default none: the API is for
   * servers, and a request carrying any other `Origin` is refused (403). The flow page needs none.
   */
  allowedOrigins?: readonly string[];
  /** Largest API request body, in bytes (`photo1` travels base64 in it); larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Webhook retries: attempts (first included, default 5) and the first backoff (default 1000 ms, doubling). */
  webhookRetry?: Partial<WebhookRetryOptions>;
  /** Time allowed for one webhook attempt. Default 10 s. */
  webhookTimeoutMs?: number;
  /** Refuse metadata for technologies the flow does not have (400). Default true. */
  rejectUnusedMetadata?: boolean;
  /**
   * Misbehave on demand, as the vendor can: result errors and hangs, webhooks dropped, duplicated,
   * reordered or late, sessions that finish after their expiry, each at a rate, every choice drawn from
   * `seed` so a run repeats. Default: none. See {@link EmulatorFaults}.
   */
  faults?: EmulatorFaults;
  /** Where to log; silent by default. `console` fits. */
  logger?: Partial<EmulatorLogger>;
  /** The clock, in ms since the epoch; tests pass their own to expire sessions without waiting. */
  now?: () => number;
}

/** Read-only access to the emulator's sessions, for tests. */
export interface EmulatorSessions {
  /** @returns a copy of the session, or `undefined` if unknown. */
  get(id: string): SessionSnapshot | undefined;
  /** @returns copies of every session, oldest first. */
  list(): SessionSnapshot[];
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:8790` — the API base and the flow base at once. */
  url: string;
  /** The flows served, with their API keys. */
  flows: EmulatorFlow[];
  sessions: EmulatorSessions;
  /** @returns a promise that resolves once every queued webhook is delivered or given up. */
  webhooksIdle(): Promise<void>;
  /** Stops the server, its connections, pending webhooks and timers. @returns after everything stopped. */
  close(): Promise<void>;
}

const webhookUrlSchema = z.url({ protocol: /^https?$/, message: 'Webhook URLs must be http(s) URLs' });
const SWEEP_INTERVAL_MS = 60_000;
const SWEEP_RETAIN_EXTRA_MS = 24 * 60 * 60_000;

/**
 * Starts an emulator.
 *
 * @returns the running emulator once it listens.
 * @throws when the options are invalid or the port cannot be bound.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const flows = resolveFlows(options.flows);
  const webhookUrls = (options.webhooks ?? []).map((url) => {
    if (!webhookUrlSchema.safeParse(url).success) throw new TypeError(`webhooks: not an http(s) URL: ${url}`);
    return url;
  });
  const now = options.now ?? Date.now;
  const logger = toLogger(options.logger);
  const sessionTtlMs = nonNegative('sessionTtlMs', options.sessionTtlMs ?? 30 * 60_000);
  const faults = resolveFaults(options.faults);
  const store = new SessionStore({
    ttlMs: sessionTtlMs,
    resultDelayMs: nonNegative('resultDelayMs', options.resultDelayMs ?? 0),
    faults,
    now,
  });
  const webhooks = new WebhookDispatcher({
    retry: {
      attempts: Math.max(1, Math.floor(options.webhookRetry?.attempts ?? 5)),
      baseDelayMs: nonNegative('webhookRetry.baseDelayMs', options.webhookRetry?.baseDelayMs ?? 1000),
    },
    timeoutMs: nonNegative('webhookTimeoutMs', options.webhookTimeoutMs ?? 10_000),
    lateMs: faults.webhookLateMs,
    logger,
    now,
  });
  const closing = new AbortController();
  const app = createEmulatorApp({
    flows,
    store,
    webhooks,
    webhookUrls: () => webhookUrls,
    latencyMs: nonNegative('latencyMs', options.latencyMs ?? 0),
    resultHangMs: faults.resultHangMs,
    rejectUnusedMetadata: options.rejectUnusedMetadata ?? true,
    allowedOrigins: (options.allowedOrigins ?? []).map(checkOrigin),
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes ?? 1024 * 1024),
    signal: closing.signal,
    logger,
  });

  // overrideGlobalObjects: false — the emulator runs inside other programs' processes (tests, the
  // demo) and must not replace their global Request and Response.
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false, hostname: host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error(`server error: ${error.message}`));

  const sweep = setInterval(() => store.sweep(sessionTtlMs + SWEEP_RETAIN_EXTRA_MS), SWEEP_INTERVAL_MS);
  sweep.unref();

  const address = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${address.port}`;
  logger.info(`emulator listening on ${url}`);
  if (faultsEnabled(faults)) logger.info(`faults on, seed ${faults.seed}: ${describeFaults(faults)}`);

  let closed: Promise<void> | undefined;
  return {
    url,
    flows: flows.map((flow) => ({ ...flow, technologies: [...flow.technologies] })),
    sessions: {
      get: (id) => {
        const session = store.get(id);
        return session && store.snapshot(session);
      },
      list: () => store.list(),
    },
    webhooksIdle: () => webhooks.idle(),
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        clearInterval(sweep);
        webhooks.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** @returns the faults that can happen, as `name=value` pairs. */
function describeFaults(faults: Required<EmulatorFaults>): string {
  return Object.entries(faults)
    .filter(([name, value]) => name !== 'seed' && (!name.endsWith('Rate') || value > 0))
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number`);
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/** @returns `origin` if it is an http(s) origin as a browser sends it (no path, no trailing slash). */
function checkOrigin(origin: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
    throw new TypeError(`allowedOrigins: not an origin like https://host.example: ${origin}`);
  }
  return origin;
}

/** The host part of the emulator's URL: a wildcard address is reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
