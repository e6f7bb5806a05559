// Verdict latency (issue 24 item 1), for `npm run bench -- --verdict`: from the moment the vendor's result
// exists to `finished` in the page, and how many vendor calls a session costs with many tabs waiting.
//
// A fake vendor answers `{}` for a random lag after the flow ended (uniform in LAG_MS: a fixed lag would
// line up with a fixed poll schedule and flatter it), then the final result; as the real vendor does
// (SERVICE.md §5), it posts a `technology.end` webhook as the flow ends and the `flow.end` webhook once
// the result exists, each half a vendor call's time later (the way from the vendor to the host). The host is wired as a real one: createVerdictLedger,
// createWebhookHandler and createStatusHandler sharing one store (a session endpoint of its own records
// each session in the ledger, as createSessionHandler does). The page and the host's endpoints are
// behind the latency proxy of bench/network.mjs; the flow (another origin, no latency: its load is not
// measured here) posts `flow.end` to the page as soon as it runs. A second run, `info`, has no webhook:
// the same status handler by polling alone, to show the difference. The host logs every status request
// and the vendor every call (and whose: the webhook's or the status handler's), so that each run's wait
// is split into: no status request at the server yet (the element's poll schedule), a request there but
// the vendor not asked yet (the reuse window, or the webhook on its way), the vendor call, and back to
// the page.
//
// Run directly (node --import tsx bench/verdict.ts [--rounds=N] [--rtts=40,80,150] [--tabs=N]); it prints
// `verdict:` lines that scripts/bench.mjs reports.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import {
  createMemoryStore,
  createStatusHandler,
  createVerdictLedger,
  createWebhookHandler,
  issueStatusToken,
  toNodeListener,
} from '../src/server/index.js';
import type { VerdictLedger } from '../src/server/index.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/support/browsers.mjs';
// @ts-expect-error: a plain .mjs helper of the bench, without types.
import { startLatencyProxy } from './network.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const API_KEY = 'bench-verdict-key-' + 'x'.repeat(40);
const TOKEN_SECRET = 'bench-verdict-token-secret-0123456789abcdef';
/** The vendor's `{}` after the flow ended, uniform in this range (ms). */
const LAG_MS: [number, number] = [1000, 3000];
/** What the vendor call itself takes (ms), as a real API's does at least. */
const VENDOR_MS = 30;
const BUDGET = { p50: 300, p95: 600, callsPerSecond: 1 };
const PATH_TOKEN = 'bench-verdict-webhook-token-' + 'w'.repeat(8);
/** The header the webhook handler's vendor calls carry, so that the vendor tells them from the status handler's. */
const CALLER_HEADER = 'x-bench-caller';
const quiet = { warn() {}, error() {}, info() {} };

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const ROUNDS = Number(arg('rounds', '15'));
const RTTS = arg('rtts', '40,80,150').split(',').map(Number);
const TABS = Number(arg('tabs', '20'));
/** Runs at once, each in its own tab: sessions are independent, and the bench takes a third of the time. */
const PARALLEL = 3;

const now = () => performance.timeOrigin + performance.now();

interface SessionLog {
  /** Whether the vendor posts `flow.end` to the host once the result exists. */
  webhook: boolean;
  flowEnd?: number;
  resultAt?: number;
  calls: { start: number; end: number; final: boolean; by: 'webhook' | 'status' }[];
  requests: { arrived: number; answered?: number; final?: boolean; wait: boolean }[];
}

/** The webhook handler's fetch: the vendor calls it makes say so. */
const webhookFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set(CALLER_HEADER, 'webhook');
  return fetch(input, { ...init, headers });
};

/** A webhook envelope of the vendor's (SERVICE.md §5) about a session, made now. */
const envelope = (sessionId: string, event: string, data: Record<string, unknown>) =>
  JSON.stringify({ id: randomUUID(), event, session_id: sessionId, created: Math.floor(Date.now() / 1000), success: true, flow_name: 'bench', metadata: {}, data });

/** The `flow.end` envelope of a session whose result now exists. */
const flowEndEnvelope = (sessionId: string) =>
  envelope(sessionId, 'flow.end', { session_result: { status: 'FINISHED', session_id: sessionId, flow_session_result: true } });

/**
 * The `technology.end` envelope: sent as each technology ends, before `flow.end`, so that the host knows
 * the session's webhooks arrive and leaves its verdict to the push.
 */
const technologyEndEnvelope = (sessionId: string) => envelope(sessionId, 'technology.end', { technology_code: 'LD', liveness_result: { result: true } });

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** The vendor: `{}` until the session's result exists, then its final result; every call logged. */
async function startVendor(sessions: Map<string, SessionLog>) {
  const server = createServer((req, res) => {
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('session_id') ?? '';
    const log = sessions.get(id);
    const start = now();
    setTimeout(() => {
      const final = log?.resultAt !== undefined && log.resultAt <= start;
      log?.calls.push({ start, end: now(), final, by: req.headers[CALLER_HEADER] === 'webhook' ? 'webhook' : 'status' });
      res.writeHead(log ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(final ? { status: 'FINISHED', flow_session_result: true } : {}));
    }, VENDOR_MS);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, server };
}

const FLOW_PAGE = `<!doctype html><meta charset="utf-8"><title>bench flow</title><p>flow</p>
<script>parent.postMessage({ event: 'flow.end', session_id: location.pathname.split('/').pop(), status: 'FINISHED' }, '*');</script>`;

/**
 * The flow: its page ends at once; the vendor's result then exists after a random lag, and for a session
 * with `webhook` the vendor posts `flow.end` to `webhook(sessionId, body)` once it does.
 */
async function startFlow(sessions: Map<string, SessionLog>, random: () => number, webhook: (body: string) => Promise<unknown>) {
  const server = createServer((req, res) => {
    const id = new URL(req.url ?? '/', 'http://x').pathname.split('/').pop() ?? '';
    const log = sessions.get(id);
    if (log && req.url?.startsWith('/flow/') && log.flowEnd === undefined) {
      log.flowEnd = now();
      log.resultAt = log.flowEnd + LAG_MS[0] + random() * (LAG_MS[1] - LAG_MS[0]);
      if (log.webhook) {
        // The last technology's end, as the flow ends; flow.end once the result exists.
        webhook(technologyEndEnvelope(id)).catch((error: unknown) => console.error(`bench: the webhook failed: ${String(error)}`));
        setTimeout(() => {
          webhook(flowEndEnvelope(id)).catch((error: unknown) => console.error(`bench: the webhook failed: ${String(error)}`));
        }, log.resultAt - now() + VENDOR_MS / 2);
      }
    }
    res.writeHead(req.url?.startsWith('/flow/') ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(FLOW_PAGE);
  });
  return { url: `http://127.0.0.1:${await listen(server)}`, server };
}

/**
 * The host's verdict machinery as a real host wires it: one store, a ledger on it, and the webhook and
 * status handlers on the ledger (default options but the quiet logger).
 */
function hostInstance(vendorUrl: string, store = createMemoryStore()) {
  const common = { apiKey: API_KEY, apiBaseUrl: vendorUrl, store, logger: quiet };
  const verdicts: VerdictLedger = createVerdictLedger({ ...common, onVerdict: () => {} });
  return {
    verdicts,
    status: createStatusHandler({ ...common, tokenSecret: TOKEN_SECRET, verdicts }),
    webhook: createWebhookHandler({ ...common, pathToken: PATH_TOKEN, verdicts, fetch: webhookFetch }),
  };
}

/**
 * The host: the bench page, the CDN build, a session endpoint, and the status handler under test:
 * `/status` on the ledger with the vendor's webhook at `/webhook/<token>`, `/status-poll` a status
 * handler by itself (polling only).
 */
async function startHost(sessions: Map<string, SessionLog>, vendorUrl: string, pushing: () => boolean) {
  const host = hostInstance(vendorUrl);
  host.verdicts.start();
  const statusHandlers: Record<string, ReturnType<typeof toNodeListener>> = {
    '/status': toNodeListener(host.status),
    '/status-poll': toNodeListener(createStatusHandler({ apiKey: API_KEY, apiBaseUrl: vendorUrl, tokenSecret: TOKEN_SECRET, logger: quiet })),
  };
  const webhook = toNodeListener(host.webhook);
  const files: Record<string, [string, string]> = {
    '/bench/verdict.html': ['bench/verdict.html', 'text/html; charset=utf-8'],
    '/biometric-flow.js': ['dist/cdn/biometric-flow.js', 'text/javascript; charset=utf-8'],
    '/biometric-flow-deferred.js': ['dist/cdn/biometric-flow-deferred.js', 'text/javascript; charset=utf-8'],
    '/biometric-flow-session.js': ['dist/cdn/biometric-flow-session.js', 'text/javascript; charset=utf-8'],
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/session' && req.method === 'POST') {
      req.resume();
      await new Promise((resolve) => req.on('end', resolve));
      const id = randomUUID();
      sessions.set(id, { webhook: pushing(), calls: [], requests: [] });
      // Recorded before the answer leaves, as createSessionHandler does with `verdicts`.
      await host.verdicts.record({ sessionId: id, reference: 'bench-user', expiresAt: Date.now() + 600_000 });
      const token = await issueStatusToken({ tokenSecret: TOKEN_SECRET, sessionId: id, ttlSeconds: 600 });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ session_id: id, technologies: ['LD'], status_token: token }));
      return;
    }
    if (url.pathname === `/webhook/${PATH_TOKEN}`) return webhook(req, res);
    const status = statusHandlers[url.pathname];
    if (status) {
      const log = sessions.get(url.searchParams.get('session_id') ?? '');
      const entry: SessionLog['requests'][number] = { arrived: now(), wait: url.searchParams.has('wait') };
      log?.requests.push(entry);
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      let body = '';
      res.write = ((chunk: unknown, ...rest: never[]) => {
        body += String(chunk);
        return write(chunk as string, ...rest);
      }) as typeof res.write;
      res.end = ((chunk?: unknown, ...rest: never[]) => {
        if (chunk !== undefined && typeof chunk !== 'function') body += String(chunk);
        entry.answered = now();
        entry.final = body.includes('"FINISHED"');
        return end(chunk as string, ...rest);
      }) as typeof res.end;
      return status(req, res);
    }
    const file = files[url.pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file[1], 'Cache-Control': 'no-store' });
    res.end(await readFile(join(root, file[0])));
  });
  return { port: await listen(server), server, verdicts: host.verdicts };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
};
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** One run's wait, split by what the host logged. */
function breakdown(log: SessionLog, finished: number) {
  const resultAt = log.resultAt!;
  // A request is "at the server" at the result's moment when it arrived before and was answered after it.
  const open = log.requests.find((r) => r.arrived <= resultAt && (r.answered ?? Infinity) > resultAt);
  const next = log.requests.find((r) => r.arrived > resultAt);
  const requestThere = open ? resultAt : (next?.arrived ?? finished);
  const call = log.calls.find((c) => c.final)!;
  return {
    noRequest: requestThere - resultAt,
    notAsked: Math.max(0, call.start - requestThere),
    vendor: call.end - call.start,
    back: finished - call.end,
    by: call.by,
  };
}

/** The most vendor calls of one session (by `by` only, if given) that started within any one second. */
function mostInASecond(log: SessionLog, by?: 'webhook' | 'status'): number {
  const calls = log.calls.filter((call) => by === undefined || call.by === by);
  return Math.max(0, ...calls.map((call) => calls.filter((other) => other.start >= call.start && other.start < call.start + 1000).length));
}

interface Run {
  /** Which status endpoint the page asks. */
  endpoint: string;
  /** Whether the vendor posts `flow.end` to the host when the result exists. */
  webhook: boolean;
  label: string;
  /** Judged against the budget (PASS/FAIL), or `info`. */
  budgeted: boolean;
}

async function latency(page: puppeteer.Page[], sessions: Map<string, SessionLog>, setRtt: (ms: number) => void, flowUrl: string, rtts: number[], mode: { webhook: boolean }, run: Run) {
  mode.webhook = run.webhook;
  for (const rtt of rtts) {
    setRtt(rtt);
    const runs: { total: number; parts: ReturnType<typeof breakdown>; most: number; mostByStatus: number }[] = [];
    let round = 0;
    await Promise.all(page.map(async (tab) => {
      while (round < ROUNDS + PARALLEL) {
        const mine = round++;
        const result = await tab.evaluate(
          (flow, status) => (window as unknown as { runOnce(flow: string, status: string): Promise<{ sessionId?: string; finishedAt?: number; outcome?: string; error?: string }> }).runOnce(flow, status),
          flowUrl,
          run.endpoint,
        );
        if (result.error) throw new Error(result.error);
        // The first run of each tab warms its connection and the element's chunk: not counted.
        if (mine < PARALLEL) continue;
        const log = sessions.get(result.sessionId!)!;
        if (result.outcome !== 'passed') throw new Error(`run ended ${result.outcome}, not passed`);
        runs.push({ total: result.finishedAt! - log.resultAt!, parts: breakdown(log, result.finishedAt!), most: mostInASecond(log), mostByStatus: mostInASecond(log, 'status') });
      }
    }));
    const totals = runs.map((r) => r.total);
    const p50 = quantile(totals, 0.5);
    const p95 = quantile(totals, 0.95);
    const part = (name: 'noRequest' | 'notAsked' | 'vendor' | 'back') => ms(quantile(runs.map((r) => r.parts[name]), 0.5));
    const most = Math.max(...runs.map((r) => r.most));
    const mostByStatus = Math.max(...runs.map((r) => r.mostByStatus));
    const calls = run.webhook
      ? `, at most ${most} vendor calls of a session in any second (${mostByStatus} by the status handler, the rest the webhook's confirmation)`
      : `, at most ${most} vendor calls of a session in any second`;
    console.log(
      `verdict: ${run.label}, RTT ${rtt} ms: result → finished p50 ${ms(p50)} p95 ${ms(p95)} (min ${ms(Math.min(...totals))}, p25–p75 ${ms(quantile(totals, 0.25))}–${ms(quantile(totals, 0.75))}, max ${ms(Math.max(...totals))}, ${runs.length} runs)${calls}` +
        ` ${run.budgeted ? (p50 <= BUDGET.p50 && p95 <= BUDGET.p95 ? 'PASS' : 'FAIL') : 'info'}`,
    );
    if (run.webhook) {
      // What a push allows: the webhook's way to the host, its confirming call, half a round trip back.
      console.log(`verdict:   floor of the webhook: p50 ≥ ${ms(VENDOR_MS / 2 + VENDOR_MS + rtt / 2)} (its way to the host, the confirming call, half a round trip back)`);
    } else {
      // What polling alone allows: the result comes at a random moment within a vendor call's interval, so
      // the next call is on average half an interval away (then the call, then half a round trip back).
      const interval = 1000 + VENDOR_MS;
      console.log(
        `verdict:   floor of polling the vendor every ${interval} ms (window + call): p50 ≥ ${ms(interval / 2 + VENDOR_MS + rtt / 2)}, p95 ≥ ${ms(0.95 * interval + VENDOR_MS + rtt / 2)}`,
      );
    }
    const byWebhook = runs.filter((r) => r.parts.by === 'webhook').length;
    console.log(
      `verdict:   medians of its parts: no status request at the server ${part('noRequest')}, a request there but the vendor not asked yet ${part('notAsked')}, the vendor call ${part('vendor')} (the webhook's in ${byWebhook} of ${runs.length} runs), back to the page ${part('back')}`,
    );
  }
}

/**
 * `tabs` clients of one session, each doing what a waiting element does (ask, and ask again at once when
 * the answer came), on two host instances sharing one store (each its own ledger and handlers), the
 * vendor's webhook going to the first: vendor calls per second.
 */
async function callsWithTabs(vendorUrl: string, sessions: Map<string, SessionLog>) {
  const store = createMemoryStore();
  const instances = [hostInstance(vendorUrl, store), hostInstance(vendorUrl, store)];
  const id = randomUUID();
  const log: SessionLog = { webhook: true, calls: [], requests: [] };
  sessions.set(id, log);
  await instances[0].verdicts.record({ sessionId: id, reference: 'bench-user', expiresAt: Date.now() + 600_000 });
  const token = await issueStatusToken({ tokenSecret: TOKEN_SECRET, sessionId: id, ttlSeconds: 600 });
  const seconds = 6;
  const start = now();
  log.resultAt = start + (seconds - 1) * 1000;
  const until = start + seconds * 1000;
  const post = (body: string) =>
    instances[0].webhook(new Request(`http://host.test/webhook/${PATH_TOKEN}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }));
  // The flow's own webhooks come first (a technology's end), flow.end once the result exists.
  if ((await post(technologyEndEnvelope(id))).status !== 200) throw new Error('the technology.end webhook was refused');
  const hook = new Promise<Response>((resolve) => setTimeout(resolve, log.resultAt! - now() + VENDOR_MS / 2)).then(() =>
    post(flowEndEnvelope(id)),
  );
  let answers = 0;
  await Promise.all(Array.from({ length: TABS }, async (_, tab) => {
    while (now() < until) {
      const response = await instances[tab % 2].status(new Request(`http://host.test/status?session_id=${id}&wait=2`, { headers: { 'Biometric-Status-Token': token } }));
      const body = (await response.json()) as { status?: string };
      answers += 1;
      if (body.status === 'FINISHED') return;
    }
  }));
  if ((await hook).status !== 200) throw new Error(`the webhook was answered ${(await hook).status}`);
  await Promise.all(instances.map((instance) => instance.verdicts.stop()));
  const elapsed = (Math.min(now(), until) - start) / 1000;
  const most = mostInASecond(log);
  console.log(
    `verdict: ${TABS} tabs on one session, 2 instances sharing a store: ${log.calls.length} vendor calls in ${elapsed.toFixed(1)} s (${log.calls.filter((call) => call.by === 'webhook').length} the webhook's), at most ${most} in any second, the webhook's confirmation included (${mostInASecond(log, 'status')} by the status handlers); ${answers} answers ${most <= BUDGET.callsPerSecond ? 'PASS' : 'FAIL'}`,
  );
}

export async function runVerdictBench(): Promise<void> {
  const sessions = new Map<string, SessionLog>();
  let seed = 0x2f6e2b1;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1_000_000) / 1_000_000;
  const mode = { webhook: false };
  const vendor = await startVendor(sessions);
  let hostPort = 0;
  // The vendor's webhook goes straight to the host: the latency proxy stands for the page's network.
  const flow = await startFlow(sessions, random, async (body) => {
    const response = await fetch(`http://127.0.0.1:${hostPort}/webhook/${PATH_TOKEN}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    if (response.status !== 200) throw new Error(`the webhook was answered ${response.status}: ${await response.text()}`);
  });
  const host = await startHost(sessions, vendor.url, () => mode.webhook);
  hostPort = host.port;
  const proxy = await startLatencyProxy(host.port);
  const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
  console.log(
    `verdict: the vendor's result exists ${LAG_MS[0]}–${LAG_MS[1]} ms (uniform) after the flow ended, its flow.end webhook reaches the host ${VENDOR_MS / 2} ms later; each vendor call takes ${VENDOR_MS} ms; page and endpoints behind the latency proxy; Chromium; ${PARALLEL} tabs at once`,
  );
  try {
    const tabs = await Promise.all(Array.from({ length: PARALLEL }, async () => {
      const tab = await browser.newPage();
      tab.on('pageerror', (error) => console.error(`page error: ${String(error)}`));
      await tab.goto(`http://127.0.0.1:${proxy.port}/bench/verdict.html`);
      await tab.evaluate(() => (window as unknown as { ready: Promise<unknown> }).ready);
      return tab;
    }));
    await latency(tabs, sessions, proxy.setRtt, flow.url, RTTS, mode, { endpoint: '/status', webhook: true, label: 'webhook + long poll (ledger, reuseMs 1000)', budgeted: true });
    await latency(tabs, sessions, proxy.setRtt, flow.url, [80], mode, { endpoint: '/status-poll', webhook: false, label: 'long poll alone, no webhook (reuseMs 1000)', budgeted: false });
    await callsWithTabs(vendor.url, sessions);
  } finally {
    await browser.close();
    await host.verdicts.stop();
    proxy.dropAll();
    await proxy.close();
    for (const server of [host.server, flow.server, vendor.server]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runVerdictBench();
