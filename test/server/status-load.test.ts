// A bounded load test of the status endpoint, over real sockets: toNodeListener(createStatusHandler(...)) in
// front of a stand-in vendor that counts its calls. It shows the endpoint is no amplifier: many requests
// for one session make one vendor call per reuse window, requests without a valid token make none, and a
// burst for one huge result holds one copy of it. The figures are printed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createStatusHandler, toNodeListener } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, tokenHeader } from './fake-vendor.js';

const MiB = 1 << 20;
const SMALL_RESULT = Buffer.from('{"status":"FINISHED","flow_session_result":true}');

/** A full garbage collection: `gc` when node runs with --expose-gc, else exposed now through V8's flags. */
function findGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}
const gc = findGc();
function collect(): void {
  // Several passes: the first frees objects whose finalisers release more.
  for (let pass = 0; pass < 4; pass++) gc?.();
}

/** The stand-in vendor: answers every result request with `body` after `delayMs`, counting calls. */
function startVendor() {
  const state: { calls: number; delayMs: number; body: Buffer } = { calls: 0, delayMs: 0, body: SMALL_RESULT };
  const server = createServer((req, res) => {
    state.calls++;
    req.resume();
    const { body } = state;
    setTimeout(() => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.byteLength });
      res.end(body);
    }, state.delayMs);
  });
  return { server, state };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** A 24 MiB result as the vendor sends one with photos: one Buffer, built without a 24 MiB string. */
function bigResult(size: number): Buffer {
  const head = Buffer.from('{"status":"FINISHED","flow_session_result":true,"flow_session_failure_reasons":[],"face_photo":"');
  const tail = Buffer.from('"}');
  const body = Buffer.alloc(size, 'A');
  head.copy(body, 0);
  tail.copy(body, size - tail.byteLength);
  return body;
}

describe('status endpoint under load', () => {
  const vendor = startVendor();
  let vendorUrl: string;
  const servers: Server[] = [vendor.server];

  const serveStatus = async (reuseMs?: number) => {
    const handler = createStatusHandler({
      apiKey: API_KEY,
      apiBaseUrl: vendorUrl,
      tokenSecret: TOKEN_SECRET,
      logger: capturingLogger(),
      ...(reuseMs === undefined ? {} : { reuseMs }),
    });
    const server = createServer(toNodeListener(handler));
    servers.push(server);
    return `${await listen(server)}/status`;
  };

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    return response.status;
  };

  before(async () => {
    vendorUrl = await listen(vendor.server);
  });
  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  // First, while the process's peak memory is still low: the peak RSS is a high-water mark.
  it('holds one copy of a 24 MiB result for 40 concurrent requests, with one vendor call', { timeout: 30_000 }, async () => {
    const base = await serveStatus();
    // Warm-up with a small result (sockets, JIT), so the peak RSS measured is the burst's.
    assert.equal(await get(`${base}?session_id=${SESSION_ID}`, await tokenHeader()), 200);
    vendor.state.body = bigResult(24 * MiB);
    vendor.state.delayMs = 20;
    vendor.state.calls = 0;

    collect();
    const before = process.memoryUsage();
    const peakRssBefore = process.resourceUsage().maxRSS * 1024;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 1);
    const sessionId = randomUUID();
    const sessionUrl = `${base}?session_id=${sessionId}`;
    const sessionHeaders = await tokenHeader(sessionId);
    const statuses = await Promise.all(Array.from({ length: 40 }, () => get(sessionUrl, sessionHeaders)));
    clearInterval(sampler);
    const peakRssGrowth = process.resourceUsage().maxRSS * 1024 - peakRssBefore;
    collect();
    const after = process.memoryUsage();

    const figures = {
      vendorCalls: vendor.state.calls,
      heapAfterGcMiB: [(before.heapUsed / MiB).toFixed(1), (after.heapUsed / MiB).toFixed(1)],
      sampledPeakHeapGrowthMiB: ((peakHeap - before.heapUsed) / MiB).toFixed(1),
      peakRssGrowthMiB: (peakRssGrowth / MiB).toFixed(1),
      gc: gc ? 'yes' : 'no',
    };
    console.log(`load: 40 GETs for one 24 MiB result: ${JSON.stringify(figures)}`);
    assert.ok(statuses.every((status) => status === 200), statuses.join());
    assert.equal(vendor.state.calls, 1);
    if (gc) {
      assert.ok(after.heapUsed - before.heapUsed < 16 * MiB, `heap after gc grew ${figures.heapAfterGcMiB.join(' -> ')} MiB`);
      assert.ok(peakHeap - before.heapUsed < 100 * MiB, `the sampled heap peaked ${figures.sampledPeakHeapGrowthMiB} MiB above the start`);
    }
    // RSS also holds the socket buffers and what the allocator keeps: a loose bound, but 40 copies would be ~2 GB.
    assert.ok(peakRssGrowth < 200 * MiB, `the process's peak RSS grew ${figures.peakRssGrowthMiB} MiB`);
  });

  it('answers 200 concurrent requests for one session with one vendor call within the reuse window', { timeout: 30_000 }, async () => {
    vendor.state.body = SMALL_RESULT;
    vendor.state.delayMs = 50;
    // A window longer than the default 2 s, so that a slow machine cannot end it in the middle of the burst.
    const reuseMs = 10_000;
    const base = await serveStatus(reuseMs);
    const sessionId = randomUUID();
    const headers = await tokenHeader(sessionId);
    vendor.state.calls = 0;
    const started = Date.now();
    const statuses = await Promise.all(Array.from({ length: 200 }, () => get(`${base}?session_id=${sessionId}`, headers)));
    const elapsed = Date.now() - started;
    console.log(`load: 200 concurrent GETs, one session, valid token: ${vendor.state.calls} vendor call(s) in ${elapsed} ms (reuse window ${reuseMs} ms)`);
    assert.ok(statuses.every((status) => status === 200), statuses.join());
    assert.ok(elapsed < reuseMs, `within one reuse window (${elapsed} ms)`);
    assert.equal(vendor.state.calls, 1);
  });

  it('makes no vendor call for 300 requests with random session ids and missing or forged tokens', { timeout: 30_000 }, async () => {
    vendor.state.delayMs = 0;
    const base = await serveStatus();
    const someoneElses = await tokenHeader(randomUUID());
    const otherSecret = await tokenHeader(SESSION_ID, 'a-secret-this-server-does-not-have-0123456789');
    const forgeries: Record<string, string>[] = [
      {},
      someoneElses,
      otherSecret,
      { 'Biometric-Status-Token': `v1.9999999999.${'A'.repeat(43)}` },
      { 'Biometric-Status-Token': 'x'.repeat(5000) },
    ];
    vendor.state.calls = 0;
    const statuses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => get(`${base}?session_id=${i % 2 ? randomUUID() : SESSION_ID}`, forgeries[i % forgeries.length]!)),
    );
    console.log(`load: 300 GETs, random session ids, no or forged tokens: ${vendor.state.calls} vendor call(s)`);
    assert.deepEqual([...new Set(statuses)], [401]);
    assert.equal(vendor.state.calls, 0);
  });
});
