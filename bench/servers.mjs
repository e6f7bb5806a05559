// Two loopback origins for `npm run bench`: the host page (bench pages, the built CDN module, a session
// endpoint that answers after a fixed delay) and the flow (a tiny page at <base>/flow/<id> that, under the
// base /end, posts the emulator's end-of-flow message to its parent as soon as it runs).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

const FLOW_PAGE = `<!doctype html><meta charset="utf-8"><title>bench flow</title><p>flow</p>
<script>
  if (location.pathname.startsWith('/end/')) {
    parent.postMessage({ event: 'flow.end', session_id: location.pathname.split('/').pop(), status: 'FINISHED' }, '*');
  }
</script>`;

/**
 * Every answer makes the pages cross-origin isolated (the flow page may be framed by them), so that
 * performance.now() and resource timings count in 5 µs steps rather than 100 µs ones: the timing bench
 * measures about 4 ms, and medians in 100 µs steps would move its ratio in jumps of 2.5%.
 */
const ISOLATED = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

/**
 * Starts both servers. The session endpoint waits `delayMs` (the endpoint's own latency) and answers a
 * fresh UUID, so every frame has a URL of its own in the page's resource timeline.
 * @param {{ delayMs: number }} options
 */
export async function startBenchServers({ delayMs }) {
  const files = {
    '/bench/timing.html': ['bench/timing.html', 'text/html; charset=utf-8'],
    '/bench/memory.html': ['bench/memory.html', 'text/html; charset=utf-8'],
    '/biometric-flow.js': ['dist/cdn/biometric-flow.js', 'text/javascript; charset=utf-8'],
    '/biometric-flow-deferred.js': ['dist/cdn/biometric-flow-deferred.js', 'text/javascript; charset=utf-8'],
    '/biometric-flow-session.js': ['dist/cdn/biometric-flow-session.js', 'text/javascript; charset=utf-8'],
  };
  let sessions = 0;
  const host = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/session' && req.method === 'POST') {
      req.resume();
      await new Promise((resolve) => req.on('end', resolve));
      const wait = new URL(req.url ?? '/', 'http://x').searchParams.get('delay');
      await new Promise((resolve) => setTimeout(resolve, wait === null ? delayMs : Number(wait)));
      sessions++;
      res.writeHead(200, { ...ISOLATED, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ session_id: randomUUID(), technologies: ['LD', 'F2F'] }));
      return;
    }
    const file = files[path];
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { ...ISOLATED, 'Content-Type': file[1], 'Cache-Control': 'no-store' });
    res.end(await readFile(join(root, file[0])));
  });
  const flow = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.endsWith('/favicon.ico')) {
      res.writeHead(204, ISOLATED).end(); // what the element's warm-up loads
      return;
    }
    res.writeHead(path.includes('/flow/') ? 200 : 404, { ...ISOLATED, 'Content-Type': 'text/html; charset=utf-8' });
    res.end(FLOW_PAGE);
  });
  const [hostUrl, flowUrl] = await Promise.all([listen(host), listen(flow)]);
  return {
    host: hostUrl,
    flow: flowUrl,
    sessions: () => sessions,
    async close() {
      for (const server of [host, flow]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}
