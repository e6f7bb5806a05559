// One host instance of the chaos run (bench/chaos.ts), run as a child process so that it can be killed
// with SIGKILL: the session, status and webhook handlers with one verdict ledger, all on the Redis every
// instance shares. `onVerdict` writes to the run's "host database" over HTTP, as a real host writes to
// its own, and tells the run (IPC) each time it returns successfully. Every vendor call carries a header naming its source (the status handler, the webhook
// handler, the ledger's sweep), so that the run can count them per session.
import { createServer } from 'node:http';
import { createStorage } from 'unstorage';
import redisDriver from 'unstorage/drivers/redis';
import {
  createSessionHandler,
  createStatusHandler,
  createUnstorageStore,
  createVerdictLedger,
  createWebhookHandler,
  toNodeListener,
} from '../src/server/index.js';
import { SOURCE_HEADER, USER_HEADER } from './chaos-protocol.js';
import type { ChaosHostConfig } from './chaos-protocol.js';


const config = JSON.parse(process.env.CHAOS_HOST ?? 'null') as ChaosHostConfig;
const quiet = { warn: () => undefined, error: (...args: unknown[]) => console.error(`[${config.name}]`, ...args) };

/** A fetch whose calls say where they come from. */
const tagged =
  (source: string): typeof fetch =>
  (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), [SOURCE_HEADER]: source } });

const storage = createStorage({ driver: redisDriver({ url: config.redisUrl, base: 'chaos' }) });
const store = createUnstorageStore(storage);
const vendor = { apiKey: config.apiKey, apiBaseUrl: config.apiBaseUrl, timeoutMs: config.vendorTimeoutMs };

const verdicts = createVerdictLedger({
  ...vendor,
  fetch: tagged('sweep'),
  store,
  graceSeconds: config.graceSeconds,
  sweepIntervalMs: config.sweepIntervalMs,
  deliveryTimeoutMs: config.deliveryTimeoutMs,
  logger: quiet,
  onVerdict: async (verdict) => {
    const response = await fetch(config.databaseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...verdict, instance: config.name }),
      // Given up with the ledger: the database rolls back a write whose answer nobody waits for.
      signal: AbortSignal.timeout(config.deliveryTimeoutMs),
    });
    if (!response.ok) throw new Error(`the host database answered ${response.status}`);
    // What the ledger is about to count as delivered: the run counts these per verdict.
    process.send!({ type: 'returned', sessionId: verdict.sessionId, outcome: verdict.outcome, corrects: verdict.corrects ?? '' });
  },
});

const reference = ({ request }: { request: Request }) => request.headers.get(USER_HEADER) ?? undefined;
const session = toNodeListener(
  createSessionHandler({ ...vendor, tokenSecret: config.tokenSecret, sessionTtlSeconds: config.sessionTtlSeconds, verdicts, reference, logger: quiet }),
);
const status = toNodeListener(
  createStatusHandler({ ...vendor, fetch: tagged('status'), tokenSecret: config.tokenSecret, verdicts, reference, logger: quiet }),
);
const webhook = toNodeListener(
  createWebhookHandler({ ...vendor, fetch: tagged('webhook'), pathToken: config.pathToken, store, verdicts, confirmWaitMs: 500, logger: quiet }),
);

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://host').pathname;
  if (path === '/session') session(request, response);
  else if (path === '/status') status(request, response);
  else if (path.startsWith('/webhooks/')) webhook(request, response);
  else response.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  verdicts.start();
  process.send!({ type: 'ready', url: `http://127.0.0.1:${port}` });
});

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void verdicts
    .stop()
    .then(() => storage.dispose())
    .finally(() => process.exit(0));
});
