/**
 * Webhook delivery (docs/vendor.md §5): POST JSON envelopes to every configured URL, in order per session
 * and per URL, retried with exponential backoff on a network error or a non-2xx answer, a bounded number
 * of times. Delivery runs beside the flow: nothing here is awaited by a request handler.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookFate } from './faults.js';
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
  /** The delay of a late delivery, and the longest a reordered one waits for the next event. */
  lateMs: number;
  logger: EmulatorLogger;
  now: () => number;
}

/** How one envelope is to be sent. */
export interface EnqueueOptions {
  /** The fate of the delivery to each URL, drawn in the order of the URLs. Default: no fault. */
  fate?: () => WebhookFate;
  /** Not sent before this time (ms since the epoch): a `flow.end` whose result turns final later. */
  notBefore?: number;
}

const MAX_DELAY_MS = 30_000;
/** A path segment this long may be a secret (the server helpers' `pathToken` is 32 to 256 characters). */
const SECRET_SEGMENT_LENGTH = 16;

/** @returns `text` with `url` (as given, or as parsed) shown as {@link redactUrl} shows it. */
function hideUrl(text: string, url: string): string {
  const shown = redactUrl(url);
  const href = URL.canParse(url) ? new URL(url).href : url;
  return text.replaceAll(url, shown).replaceAll(href, shown);
}

/**
 * A webhook URL as logs may show it: the path token a receiver checks (`createWebhookHandler`'s
 * `pathToken`, or any long path segment), a query and user info are secrets, so they become `…`.
 *
 * @returns e.g. `https://host.example/webhooks/…` for `https://host.example/webhooks/<token>`.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(not a URL)';
  }
  const path = parsed.pathname
    .split('/')
    .map((segment) => (segment.length >= SECRET_SEGMENT_LENGTH ? '…' : segment))
    .join('/');
  return `${parsed.protocol}//${parsed.username || parsed.password ? '…@' : ''}${parsed.host}${path}${parsed.search ? '?…' : ''}`;
}
const NO_FAULT: WebhookFate = { drop: false, duplicate: false, reorder: false, late: false };

/** A delivery held back so that the next one overtakes it (the `webhookReorderRate` fault). */
interface Held {
  /** Queues the delivery now (once). */
  send: () => void;
  timer: NodeJS.Timeout;
  /** Settles once the delivery is done or given up. */
  sent: Promise<void>;
}

export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #closing = new AbortController();
  /**
   * The tail of each queue, keyed by session id and the URL's place in the list: a URL given twice gets
   * two queues, so each gets every delivery and one in backoff never holds the other.
   */
  readonly #queues = new Map<string, Promise<void>>();
  /** The held-back deliveries of each queue, oldest first. */
  readonly #held = new Map<string, Held[]>();

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
  }

  /** Builds an envelope with a fresh id and the current time. */
  envelope(fields: Omit<WebhookEnvelope, 'id' | 'created'>): WebhookEnvelope {
    return { id: randomUUID(), created: Math.floor(this.#options.now() / 1000), ...fields };
  }

  /** Queues `envelope` for every URL; returns at once. */
  enqueue(urls: readonly string[], envelope: WebhookEnvelope, options: EnqueueOptions = {}): void {
    if (this.#closing.signal.aborted) return;
    const body = JSON.stringify(envelope);
    urls.forEach((url, index) => {
      const fate = options.fate?.() ?? NO_FAULT;
      const what = `webhook ${envelope.event} for session ${envelope.session_id} to ${redactUrl(url)}`;
      if (fate.drop) {
        this.#options.logger.info(`fault: ${what} dropped`);
        return;
      }
      const key = `${envelope.session_id} ${index}`;
      const send = async () => {
        await this.#wait(options.notBefore === undefined ? 0 : options.notBefore - this.#options.now());
        if (fate.late) {
          this.#options.logger.info(`fault: ${what} sent ${this.#options.lateMs} ms late`);
          await this.#wait(this.#options.lateMs);
        }
        await this.#deliver(url, envelope, body);
        if (fate.duplicate) {
          this.#options.logger.info(`fault: ${what} sent twice`);
          await this.#deliver(url, envelope, body);
        }
      };
      if (fate.reorder) {
        this.#options.logger.info(`fault: ${what} held back until the next event overtakes it`);
        this.#hold(key, send);
        return;
      }
      this.#chain(key, send);
      for (const held of [...(this.#held.get(key) ?? [])]) held.send();
    });
  }

  /** @returns a promise that settles when every queued envelope is delivered or given up. */
  async idle(): Promise<void> {
    while (this.#queues.size > 0 || this.#held.size > 0) {
      await Promise.all([...this.#queues.values(), ...[...this.#held.values()].flat().map((held) => held.sent)]);
    }
  }

  /** Drops every pending delivery and retry, and aborts the requests in flight. */
  close(): void {
    this.#closing.abort();
    for (const held of [...this.#held.values()].flat()) held.send();
  }

  #chain(key: string, send: () => Promise<void>): Promise<void> {
    const tail = this.#queues.get(key) ?? Promise.resolve();
    const next = tail.then(send);
    this.#queues.set(key, next);
    void next.then(() => {
      if (this.#queues.get(key) === next) this.#queues.delete(key);
    });
    return next;
  }

  /**
   * Holds `send` until a delivery of the same queue that is not held back is queued, or `lateMs` passed,
   * or the dispatcher closes.
   */
  #hold(key: string, send: () => Promise<void>): void {
    let settle!: () => void;
    const held: Held = {
      send: () => {
        const queue = this.#held.get(key) ?? [];
        if (!queue.includes(held)) return;
        queue.splice(queue.indexOf(held), 1);
        if (queue.length === 0) this.#held.delete(key);
        clearTimeout(held.timer);
        this.#chain(key, send).then(settle, settle);
      },
      timer: setTimeout(() => held.send(), this.#options.lateMs),
      sent: new Promise<void>((resolve) => (settle = resolve)),
    };
    held.timer.unref();
    this.#held.set(key, [...(this.#held.get(key) ?? []), held]);
  }

  /** Waits `ms` (nothing for `ms` ≤ 0), ending early when the dispatcher closes. */
  async #wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    await sleep(ms, undefined, { signal: this.#closing.signal }).catch(() => undefined);
  }

  async #deliver(url: string, envelope: WebhookEnvelope, body: string): Promise<void> {
    const { attempts, baseDelayMs } = this.#options.retry;
    const signal = this.#closing.signal;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (signal.aborted) return;
      let problem: string;
      // A 503 with Retry-After is a receiver asking for the retry (a result that lags), not a failure.
      let retryAsked = false;
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
        retryAsked = response.status === 503 && response.headers.has('retry-after');
      } catch (error) {
        if (signal.aborted) return;
        // fetch's own messages may quote the URL (one with user info is refused with it).
        problem = hideUrl(error instanceof Error ? error.message : String(error), url);
      }
      const last = attempt === attempts;
      const what = `webhook ${envelope.event} for session ${envelope.session_id} to ${redactUrl(url)}`;
      if (retryAsked && !last) {
        this.#options.logger.info(`${what}: the receiver asked for a retry (attempt ${attempt}/${attempts}: ${problem} with Retry-After)`);
      } else {
        this.#options.logger.warn(`${what} failed (attempt ${attempt}/${attempts}): ${problem}${last ? '; giving up' : ''}`);
      }
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
