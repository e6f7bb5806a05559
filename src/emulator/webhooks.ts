/**
 * Webhook delivery (SERVICE.md §5): POST JSON envelopes to every configured URL, in order per session
 * and per URL, retried with exponential backoff on a network error or a non-2xx answer, a bounded number
 * of times. Delivery runs beside the flow: nothing here is awaited by a request handler.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EmulatorLogger } from './logger.js';

/** The envelope every webhook carries. */
export interface WebhookEnvelope {
  id: string;
  event: 'flow.start' | 'technology.start' | 'technology.end' | 'flow.end';
  session_id: string;
  /** Unix time, seconds. */
  created: number;
  success: boolean;
  flow_name: string;
  metadata: unknown;
  data: Record<string, unknown>;
}

export interface WebhookRetryOptions {
  /** Attempts per envelope and URL, the first included. Default 5. */
  attempts: number;
  /** Delay before the second attempt; doubled for every further one (capped at 30 s). Default 1000. */
  baseDelayMs: number;
}

export interface WebhookDispatcherOptions {
  retry: WebhookRetryOptions;
  /** Time allowed for one attempt. */
  timeoutMs: number;
  logger: EmulatorLogger;
  now: () => number;
}

const MAX_DELAY_MS = 30_000;

export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #closing = new AbortController();
  /** The tail of each queue, keyed by session id and URL. */
  readonly #queues = new Map<string, Promise<void>>();

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
  }

  /** Builds an envelope with a fresh id and the current time. */
  envelope(fields: Omit<WebhookEnvelope, 'id' | 'created'>): WebhookEnvelope {
    return { id: randomUUID(), created: Math.floor(this.#options.now() / 1000), ...fields };
  }

  /** Queues `envelope` for every URL; returns at once. */
  enqueue(urls: readonly string[], envelope: WebhookEnvelope): void {
    if (this.#closing.signal.aborted) return;
    const body = JSON.stringify(envelope);
    for (const url of urls) {
      const key = `${envelope.session_id} ${url}`;
      const tail = this.#queues.get(key) ?? Promise.resolve();
      const next = tail.then(() => this.#deliver(url, envelope, body));
      this.#queues.set(key, next);
      void next.then(() => {
        if (this.#queues.get(key) === next) this.#queues.delete(key);
      });
    }
  }

  /** @returns a promise that settles when every queued envelope is delivered or given up. */
  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all([...this.#queues.values()]);
  }

  /** Drops every pending delivery and retry, and aborts the requests in flight. */
  close(): void {
    this.#closing.abort();
  }

  async #deliver(url: string, envelope: WebhookEnvelope, body: string): Promise<void> {
    const { attempts, baseDelayMs } = this.#options.retry;
    const signal = this.#closing.signal;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (signal.aborted) return;
      let problem: string;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'biometric-flow-emulator' },
          body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.#options.timeoutMs)]),
        });
        // The body is not used, but reading it frees the connection for the next delivery.
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        problem = `HTTP ${response.status}`;
      } catch (error) {
        if (signal.aborted) return;
        problem = error instanceof Error ? error.message : String(error);
      }
      const last = attempt === attempts;
      this.#options.logger.warn(
        `webhook ${envelope.event} for session ${envelope.session_id} to ${url} failed (attempt ${attempt}/${attempts}): ${problem}${last ? '; giving up' : ''}`,
      );
      if (last) return;
      const delay = Math.min(baseDelayMs * 2 ** (attempt - 1), MAX_DELAY_MS);
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        return;
      }
    }
  }
}
