// Run by `npm run bench` (a benchmark, not part of `npm test`): speed is a budget, not a timed test.
// A bounded load test on loopback: `toNodeListener(createSessionHandler(...))` in front of the emulator,
// against a bare pass-through proxy doing the same upstream work (one fetch to the vendor's create endpoint
// with the key) without any of the handler's checks; a third server, the same proxy with an upstream time
// limit, is measured for comparison only. The servers run in a child process with --expose-gc,
// so their heap can be measured after a real collection and autocannon's own work (in this process, with
// the emulator) does not share their event loop. The emulator's session store grows with every request
// by design, which is one more reason it stays out of the measured process. The handler with the verdict
// ledger on (each session recorded for its reference before the answer leaves) runs in a process of its
// own, beside a bare proxy of its own that it is compared with: its records grow by design too (they are
// kept for the retention window), which the heap check of the others must not count.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createSessionHandler, createVerdictLedger, toNodeListener } from '../src/server/index.js';
import { startEmulator } from '../src/emulator/index.js';
import type { Emulator } from '../src/emulator/index.js';

const ROLE_VARIABLE = 'BIOMETRIC_FLOW_LOAD_ROLE';

/** Messages between this file as a test and this file as the servers' child process. */
type ToServers = { type: 'heap' } | { type: 'stop' };
type FromServers =
  | { type: 'ready'; handler: string; proxy: string; timedProxy: string }
  | { type: 'ready-ledger'; ledger: string; ledgerProxy: string }
  | { type: 'heap'; heapUsed: number; logLines: number };

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/**
 * The bare pass-through proxy: one fetch to the vendor's create endpoint with the key, none of the
 * handler's checks; with `timeoutMs`, the same with a time limit on the upstream call (an AbortController
 * and a timer, as the handler has): the least a proxy in production needs.
 */
function passThroughServer(apiBaseUrl: string, apiKey: string, onError: () => void, timeoutMs?: number): Server {
  const createUrl = `${apiBaseUrl}/api/v1/flows/session/create/`;
  return createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const controller = timeoutMs === undefined ? undefined : new AbortController();
      const timer = controller && setTimeout(() => controller.abort(), timeoutMs);
      fetch(createUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ api_key: apiKey }),
        ...(controller ? { signal: controller.signal } : {}),
      })
        .then(async (upstream) => {
          res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await upstream.arrayBuffer()));
        })
        .catch(() => {
          onError();
          res.statusCode = 502;
          res.end();
        })
        .finally(() => clearTimeout(timer));
    });
  });
}

/** The child: both servers, a heap probe, and a count of everything the handler logged. */
async function runServers(): Promise<void> {
  const apiBaseUrl = process.env.UPSTREAM_URL!;
  const apiKey = process.env.UPSTREAM_KEY!;
  let logLines = 0;
  const logger = { warn: () => void logLines++, error: () => void logLines++ };
  // A fixed token secret: without one the handler warns once, and this bench counts every log line.
  const tokenSecret = 'bench-token-secret-'.padEnd(40, 'x');
  // authorize: one client sends every request, which the default per-address limit would refuse past 20 a
  // minute (a host guards its endpoint with authorize, which costs a call, as here).
  const handler = createServer(
    toNodeListener(createSessionHandler({ apiKey, apiBaseUrl, logger, tokenSecret, authorize: () => true }), { logger }),
  );
  const passThrough = (timeoutMs?: number) => passThroughServer(apiBaseUrl, apiKey, () => void logLines++, timeoutMs);
  const proxy = passThrough();
  // Measured for comparison only, so that a reader sees what the time limit alone costs.
  const timedProxy = passThrough(10_000);
  const urls = { handler: await listen(handler), proxy: await listen(proxy), timedProxy: await listen(timedProxy) };
  const gc = (globalThis as { gc?: () => void }).gc!;
  process.on('message', (message: ToServers) => {
    if (message.type === 'heap') {
      // Several passes: the first frees objects whose finalisers release more.
      for (let pass = 0; pass < 4; pass++) gc();
      process.send!({ type: 'heap', heapUsed: process.memoryUsage().heapUsed, logLines } satisfies FromServers);
    } else {
      for (const server of [handler, proxy, timedProxy]) {
        server.closeAllConnections();
        server.close();
      }
      process.disconnect();
    }
  });
  process.send!({ type: 'ready', ...urls } satisfies FromServers);
}

/** The second child: the session handler with the verdict ledger on (its default memory store). */
async function runLedgerServer(): Promise<void> {
  const apiBaseUrl = process.env.UPSTREAM_URL!;
  const apiKey = process.env.UPSTREAM_KEY!;
  const logger = { warn: () => undefined, error: () => undefined };
  const tokenSecret = 'bench-token-secret-'.padEnd(40, 'x');
  const verdicts = createVerdictLedger({ apiKey, apiBaseUrl, logger, onVerdict: () => undefined });
  const reference = ({ request }: { request: Request }) => request.headers.get('x-user') ?? undefined;
  const server = createServer(toNodeListener(createSessionHandler({ apiKey, apiBaseUrl, logger, tokenSecret, verdicts, reference }), { logger }));
  // Its own bare proxy, the one it is compared with: two processes of the same code differ by a few %
  // (the same handler, no ledger, read 0.88 of the other process's proxy where it read 0.91 of its own).
  const proxy = passThroughServer(apiBaseUrl, apiKey, () => undefined);
  const [ledger, ledgerProxy] = [await listen(server), await listen(proxy)];
  process.on('message', () => {
    for (const each of [server, proxy]) {
      each.closeAllConnections();
      each.close();
    }
    process.disconnect();
  });
  process.send!({ type: 'ready-ledger', ledger, ledgerProxy } satisfies FromServers);
}

if (process.env[ROLE_VARIABLE] === 'servers') {
  await runServers();
} else if (process.env[ROLE_VARIABLE] === 'ledger') {
  await runLedgerServer();
} else {
  let emulator: Emulator;
  let child: ChildProcess;
  let ledgerChild: ChildProcess;
  let urls: { handler: string; ledger: string; ledgerProxy: string; proxy: string; timedProxy: string };

  const next = <T extends FromServers['type']>(type: T, from: ChildProcess = child): Promise<Extract<FromServers, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: FromServers) => {
        if (message.type !== type) return;
        from.off('message', onMessage);
        from.off('exit', onExit);
        resolve(message as Extract<FromServers, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`the servers' process exited (${code})`));
      from.on('message', onMessage);
      from.once('exit', onExit);
    });

  const heap = async () => {
    child.send({ type: 'heap' } satisfies ToServers);
    return next('heap');
  };

  before(async () => {
    emulator = await startEmulator({ latencyMs: 0 });
    const spawnRole = (role: string) =>
      fork(fileURLToPath(import.meta.url), [], {
        execArgv: ['--expose-gc', '--import', 'tsx'],
        env: { ...process.env, [ROLE_VARIABLE]: role, UPSTREAM_URL: emulator.url, UPSTREAM_KEY: emulator.flows[0]!.apiKey },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
    child = spawnRole('servers');
    ledgerChild = spawnRole('ledger');
    const [ready, ledgerReady] = await Promise.all([next('ready'), next('ready-ledger', ledgerChild)]);
    urls = { handler: ready.handler, ledger: ledgerReady.ledger, ledgerProxy: ledgerReady.ledgerProxy, proxy: ready.proxy, timedProxy: ready.timedProxy };
  });

  after(async () => {
    for (const server of [child, ledgerChild]) {
      if (!server?.connected) continue;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.send({ type: 'stop' } satisfies ToServers);
      await exited;
    }
    await emulator?.close();
  });

  /** Same connections, body and headers for both: what the element sends. */
  const CONNECTIONS = 8;
  const blast = (url: string, duration: number) =>
    autocannon({
      url,
      method: 'POST',
      // x-user: the signed-in user whom the ledger variant's `reference` reads; the others ignore it.
      headers: { 'Content-Type': 'application/json', 'x-user': 'user-1' },
      body: JSON.stringify({ locale: 'ru', context: { order: 'A-1' } }),
      connections: CONNECTIONS,
      duration,
    });

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };

  describe('session handler under load', () => {
    it('keeps 90% of a bare proxy\'s throughput, with no error and a stable heap', { timeout: 90_000 }, async () => {
      // Warm-up: JIT, undici's connection pool, the emulator's routes.
      for (const url of Object.values(urls)) await blast(url, 1);
      const heapBefore = await heap();

      const ROUNDS = 5;
      const NAMES = ['handler', 'ledger', 'proxy', 'timedProxy', 'ledgerProxy'] as const;
      type Name = (typeof NAMES)[number];
      const rounds: Record<Name, autocannon.Result>[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate which one goes first, so a drift in machine load does not favour any.
        const order = [...NAMES.slice(round % NAMES.length), ...NAMES.slice(0, round % NAMES.length)];
        const results: Partial<Record<Name, autocannon.Result>> = {};
        for (const name of order) results[name] = await blast(urls[name], 2);
        rounds.push(results as Record<Name, autocannon.Result>);
      }
      const heapAfter = await heap();

      const total = (key: Name) => rounds.reduce((sum, round) => sum + round[key].requests.total, 0);
      for (const [index, round] of rounds.entries()) {
        for (const name of NAMES) {
          const result = round[name];
          assert.equal(result.errors, 0, `${name}, round ${index}: ${result.errors} errors`);
          assert.equal(result.timeouts, 0, `${name}, round ${index}: ${result.timeouts} timeouts`);
          assert.equal(result.non2xx, 0, `${name}, round ${index}: ${result.non2xx} non-2xx answers`);
          assert.ok(result['2xx'] > 0, `${name}, round ${index}: no answers`);
        }
      }
      assert.equal(heapAfter.logLines, 0, 'the servers logged nothing');

      const handlerRps = median(rounds.map((round) => round.handler.requests.average));
      const proxyRps = median(rounds.map((round) => round.proxy.requests.average));
      const handlerP99 = median(rounds.map((round) => round.handler.latency.p99));
      const proxyP99 = median(rounds.map((round) => round.proxy.latency.p99));
      // Per-round ratios, then their median: each ratio compares two runs a few seconds apart.
      const ratio = median(rounds.map((round) => round.handler.requests.average / round.proxy.requests.average));
      const growth = heapAfter.heapUsed - heapBefore.heapUsed;
      const requests = NAMES.reduce((sum, name) => sum + total(name), 0);
      console.log(
        `load: handler ${handlerRps.toFixed(0)} req/s p99 ${handlerP99} ms; proxy ${proxyRps.toFixed(0)} req/s p99 ${proxyP99} ms; ratio ${ratio.toFixed(3)}`,
      );
      const timedRps = median(rounds.map((round) => round.timedProxy.requests.average));
      const timedRatio = median(rounds.map((round) => round.handler.requests.average / round.timedProxy.requests.average));
      const timedShare = median(rounds.map((round) => round.timedProxy.requests.average / round.proxy.requests.average));
      console.log(
        `load: for comparison, the bare proxy with a 10 s upstream time limit: ${timedRps.toFixed(0)} req/s p99 ${median(rounds.map((round) => round.timedProxy.latency.p99))} ms (${timedShare.toFixed(3)} of the bare proxy); the handler against it: ${timedRatio.toFixed(3)}`,
      );
      const ledgerRps = median(rounds.map((round) => round.ledger.requests.average));
      const ledgerRatio = median(rounds.map((round) => round.ledger.requests.average / round.ledgerProxy.requests.average));
      const ledgerProxyRps = median(rounds.map((round) => round.ledgerProxy.requests.average));
      console.log(
        `load: with the verdict ledger on (each session recorded for its reference, memory store), in a process of its own: ${ledgerRps.toFixed(0)} req/s p99 ${median(rounds.map((round) => round.ledger.latency.p99))} ms; that process's bare proxy ${ledgerProxyRps.toFixed(0)} req/s; ledger ratio ${ledgerRatio.toFixed(3)}`,
      );
      console.log(
        `load: ${requests} requests over ${ROUNDS} rounds x ${CONNECTIONS} connections; heap after gc ${(heapBefore.heapUsed / 2 ** 20).toFixed(2)} -> ${(heapAfter.heapUsed / 2 ** 20).toFixed(2)} MB (${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} KB)`,
      );

      // With a zero-latency upstream on 2 cores the whole pipeline is CPU-bound, so the ratio is the proxy's
      // CPU per request over the handler's (plus the load generator's and the emulator's, shared by both).
      assert.ok(ratio >= 0.9, `the handler keeps ${(ratio * 100).toFixed(1)}% of the proxy's throughput (needs 90%)`);
      assert.ok(ledgerRatio >= 0.9, `with the ledger on, the handler keeps ${(ledgerRatio * 100).toFixed(1)}% of the proxy's throughput (needs 90%)`);
      // A leak of one small object (~100 bytes) per request would show as requests x 100 bytes: over 10 MB
      // here. What is left after a full gc is undici's pool and JIT state, bounded but not the same from run
      // to run: repeated runs on this 2-core machine moved between -2.5 and +2.8 MB, with no trend. 4 MB
      // leaves room for that and still catches a per-request leak of 40 bytes or more.
      assert.ok(growth < 4 * 2 ** 20, `heap grew ${(growth / 1024).toFixed(0)} KB over ${requests} requests`);
    });
  });
}
