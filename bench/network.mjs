// A realistic network on loopback for `npm run bench -- --network`: the host page and the flow on two
// sites (page.test, flow.test), both over TLS with a certificate made for this run, the flow behind a
// proxy that adds a round trip's latency, and a session endpoint that takes its own time.
import { spawnSync } from 'node:child_process';
import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect as connectHttp2, createSecureServer } from 'node:http2';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

export const PAGE_HOST = 'page.test';
export const FLOW_HOST = 'flow.test';

/**
 * A self-signed certificate for both host names (P-256, one day), made with openssl, and the base64
 * SHA-256 of its public key: what Chromium's `--ignore-certificate-errors-spki-list` takes.
 */
export function makeCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'biometric-flow-bench-tls-'));
  try {
    const made = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=biometric-flow bench', '-addext', `subjectAltName=DNS:${PAGE_HOST},DNS:${FLOW_HOST}`,
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl could not make the bench's certificate: ${made.stderr}`);
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
    return { cert, key, spkiHash: createHash('sha256').update(spki).digest('base64') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The flow page reports its own navigation timing to whoever shows it, once it has loaded; its script is
// a subresource of some size, so that `load` comes a round trip after the first byte, as a real flow's does.
const FLOW_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>bench flow</title><p>flow</p>
<script src="/flow.js"></script>
<script>
  addEventListener('load', () => setTimeout(() => {
    const [n] = performance.getEntriesByType('navigation');
    const target = parent !== window ? parent : opener;
    target && target.postMessage({ bench: 'flow-timing', timeOrigin: performance.timeOrigin, responseStart: n.responseStart,
      loadEventStart: n.loadEventStart, fetchStart: n.fetchStart, requestStart: n.requestStart, secure: n.secureConnectionStart, connectStart: n.connectStart, connectEnd: n.connectEnd, protocol: n.nextHopProtocol }, '*');
  }));
</script></html>`;
const FLOW_SCRIPT = `/* ${'bench flow script '.repeat(1600)}*/ window.flowScript = true;`;
// A 16×16 icon's worth of bytes: what a warm-up typically fetches.
const FAVICON = Buffer.alloc(318, 1);

function listen(server, port = 0) {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server.address().port)));
}

/**
 * Latency on loopback: every chunk is held for half a round trip each way, and a connection's first chunk
 * from the browser for one more round trip (the TCP handshake, which loopback does at once). Order is kept.
 */
export async function startLatencyProxy(targetPort) {
  let oneWayMs = 0;
  const sockets = new Set();
  /** Writes chunks to `to` no earlier than their due time, in order. */
  const delayed = (to) => {
    const queue = [];
    let timer;
    const flush = () => {
      timer = undefined;
      const now = performance.now();
      while (queue.length && queue[0].due <= now + 0.5) {
        const { chunk } = queue.shift();
        if (chunk === null) to.end();
        else if (!to.destroyed) to.write(chunk);
      }
      if (queue.length) timer = setTimeout(flush, queue[0].due - now);
    };
    return (chunk, extraMs = 0) => {
      const last = queue.at(-1)?.due ?? 0;
      queue.push({ chunk, due: Math.max(performance.now() + oneWayMs + extraMs, last) });
      if (timer === undefined) timer = setTimeout(flush, queue[0].due - performance.now());
    };
  };
  const server = createServer((client) => {
    // No Nagle: a small chunk written while an earlier one is unacknowledged would wait for the other
    // end's delayed ACK, 40 ms on Linux loopback. A wire adds no such wait (and browsers set TCP_NODELAY
    // on their own sockets): it was half the flow's first bytes, element and by hand alike, 40 ms late.
    client.setNoDelay(true);
    const upstream = connect({ port: targetPort, host: '127.0.0.1', noDelay: true });
    sockets.add(client).add(upstream);
    const toUpstream = delayed(upstream);
    const toClient = delayed(client);
    let first = true;
    client.on('data', (chunk) => {
      toUpstream(chunk, first ? 2 * oneWayMs : 0);
      first = false;
    });
    upstream.on('data', (chunk) => toClient(chunk));
    client.on('end', () => toUpstream(null));
    upstream.on('end', () => toClient(null));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  const port = await listen(server);
  return {
    port,
    setRtt(ms) {
      oneWayMs = ms / 2;
    },
    /** Closes every connection, so that the next run starts cold. */
    dropAll() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Starts the page's server (no added latency: the page and its endpoint are the host's own, and the
 * page is loaded once), the flow's server and the proxy in front of it.
 * @param {{ sessionDelayMs: number, cert: string, key: string }} options
 */
export async function startNetworkServers({ sessionDelayMs, cert, key }) {
  const files = {
    '/bench/network.html': ['bench/network.html', 'text/html; charset=utf-8'],
    '/biometric-flow.js': ['dist/cdn/biometric-flow.js', 'text/javascript; charset=utf-8'],
    '/biometric-flow-deferred.js': ['dist/cdn/biometric-flow-deferred.js', 'text/javascript; charset=utf-8'],
    '/biometric-flow-session.js': ['dist/cdn/biometric-flow-session.js', 'text/javascript; charset=utf-8'],
  };
  // Timing-Allow-Origin: Firefox zeroes a framed document's own navigation timing without it.
  const answer = (res, status, type, body) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Timing-Allow-Origin': '*' });
    res.end(body);
  };
  // allowHTTP1: a browser that does not offer h2 gets HTTP/1.1; both do offer it (ALPN), as to most hosts.
  const page = createSecureServer({ cert, key, allowHTTP1: true }, async (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    if (path === '/session' && req.method === 'POST') {
      req.resume();
      await new Promise((resolve) => req.on('end', resolve));
      await new Promise((resolve) => setTimeout(resolve, sessionDelayMs));
      answer(res, 200, 'application/json', JSON.stringify({ session_id: randomUUID(), technologies: ['LD', 'F2F'] }));
      return;
    }
    const file = files[path];
    if (!file) return answer(res, 404, 'text/plain', 'not found');
    answer(res, 200, file[1], await readFile(join(root, file[0])));
  });
  const flow = createSecureServer({ cert, key, allowHTTP1: true }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    if (path.startsWith('/flow/')) return answer(res, 200, 'text/html; charset=utf-8', FLOW_PAGE);
    if (path === '/flow.js') return answer(res, 200, 'text/javascript; charset=utf-8', FLOW_SCRIPT);
    if (path === '/favicon.ico') return answer(res, 200, 'image/x-icon', FAVICON);
    // What a popup may be opened at: a navigation to it leaves the window's document as it was.
    if (path === '/no-content') return answer(res, 204, 'text/plain', '');
    answer(res, 404, 'text/plain', 'not found');
  });
  const pagePort = await listen(page);
  const flowPort = await listen(flow);
  const proxy = await startLatencyProxy(flowPort);
  const sockets = new Set();
  for (const server of [page, flow]) {
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  }
  return {
    /**
     * What the set-up itself costs: a fresh h2 connection through the proxy from Node, `rounds` times —
     * median time to the TLS handshake's end (the formula's 2 RTT) and to a page's first byte (3 RTT).
     */
    async floor(rounds = 5) {
      const tls = [];
      const firstByte = [];
      for (let round = 0; round < rounds; round++) {
        proxy.dropAll();
        const t0 = performance.now();
        const client = connectHttp2(`https://127.0.0.1:${proxy.port}`, { ca: cert, servername: FLOW_HOST });
        client.on('connect', () => tls.push(performance.now() - t0));
        const request = client.request({ ':path': '/flow/floor' });
        await new Promise((resolve, reject) => request.on('response', resolve).on('error', reject));
        firstByte.push(performance.now() - t0);
        request.resume();
        client.close();
      }
      const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
      return { tls: median(tls), firstByte: median(firstByte) };
    },
    page: `https://${PAGE_HOST}:${pagePort}`,
    flow: `https://${FLOW_HOST}:${proxy.port}`,
    setRtt: proxy.setRtt,
    dropFlowConnections: proxy.dropAll,
    async close() {
      proxy.dropAll();
      await proxy.close();
      for (const socket of sockets) socket.destroy();
      await Promise.all([page, flow].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
