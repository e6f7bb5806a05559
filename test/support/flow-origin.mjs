// Test-only stand-in for the vendor's hosted flow, served both on the test runner's own origin (for
// same-origin navigation tests) and on a second loopback port (a real cross-origin frame).
// The page is steered by its parent through postMessage so that each test decides what the "flow" does.
import { createServer } from 'node:http';

const FLOW_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test flow</title></head>
<body><p id="where">test flow</p>
<script>
  const target = window.parent !== window ? window.parent : window.opener;
  const report = (data) => target && target.postMessage(data, '*');
  addEventListener('message', async (event) => {
    const cmd = event.data && event.data.cmd;
    if (cmd === 'post') report(event.data.data);
    if (cmd === 'navigate') location.href = event.data.url;
    if (cmd === 'camera') {
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ video: true });
        const tracks = stream.getVideoTracks().map((t) => t.readyState);
        stream.getTracks().forEach((t) => t.stop());
        report({ event: 'camera-result', ok: true, tracks });
      } catch (error) {
        report({ event: 'camera-result', ok: false, name: error && error.name, message: String(error && error.message) });
      }
    }
  });
  report({ event: 'test-flow-ready', location: location.href });
  // A window its opener lost (see the COOP fixture) can still be closed by a test on the same origin.
  new BroadcastChannel('test-flow').onmessage = (event) => event.data === 'close' && close();
</script></body></html>`;

// The finished page listens for commands too, so that tests can move on from it.
const FINISHED_PAGE = FLOW_PAGE.replace('<title>Test flow</title>', '<title>Finished</title>');

// A page whose Permissions-Policy forbids the camera: an element in it reports what it found to its parent.
const CAMERA_BLOCKED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Camera blocked</title></head>
<body>
<script type="module">
  import '/src/index.ts';
  const query = new URL(location.href).searchParams;
  let opened = 0;
  let fetches = 0;
  const realOpen = window.open;
  // ?popup: an element in popup mode whose window the browser blocks.
  window.open = (...args) => { opened += 1; return query.has('popup') ? null : realOpen.apply(window, args); };
  const realFetch = window.fetch;
  window.fetch = (...args) => { fetches += 1; return realFetch.apply(window, args); };
  const el = document.createElement('biometric-flow');
  el.sessionEndpoint = '/api/no-such-endpoint';
  el.locale = 'en';
  if (query.has('popup')) el.mode = 'popup';
  const policy = document.permissionsPolicy ?? document.featurePolicy;
  el.addEventListener('flow-error', (event) => {
    parent.postMessage({ fixture: 'camera-blocked', code: event.detail.code, state: el.state, canTell: !!policy, opened, fetches }, '*');
  });
  document.body.append(el);
  const auto = query.has('auto');
  el.updateComplete.then(() => {
    if (auto) el.start();
    parent.postMessage({ fixture: 'camera-blocked', ready: true }, '*');
  });
</script></body></html>`;

// A page under Cross-Origin-Opener-Policy: same-origin with an element in popup mode, its flow on this
// origin (so that a test can close it). The page loses its popup as soon as the flow's page arrives in it.
// Steered and heard through a BroadcastChannel, the one way left to a test whose window opened this page
// (COOP cuts that link too). Query: status gives the element a status endpoint.
const COOP_POPUP_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>COOP popup</title></head>
<body>
<script type="module">
  import '/src/index.ts';
  const channel = new BroadcastChannel('coop-fixture');
  const say = (data) => channel.postMessage(data);
  let verdict = false;
  const answer = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const id = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
  window.fetch = async (input) => {
    const url = new URL(String(input), location.href);
    say({ fetch: url.pathname });
    if (url.pathname === '/api/session') return answer({ session_id: id, technologies: ['LD'], status_token: 'v1.1.token' });
    if (url.pathname === '/api/status') return answer(verdict ? { session_id: id, status: 'FINISHED', result: { flow_session_result: true } } : { session_id: id, status: 'PROGRESS' });
    return answer({}, 404);
  };
  const el = document.createElement('biometric-flow');
  el.mode = 'popup';
  el.locale = 'en';
  el.sessionEndpoint = '/api/session';
  el.flowBaseUrl = location.origin;
  if (new URL(location.href).searchParams.has('status')) el.statusEndpoint = '/api/status';
  for (const type of ['session-created', 'flow-loaded', 'finished', 'cancelled', 'flow-error', 'state-change']) {
    el.addEventListener(type, (event) => say({ type, detail: JSON.parse(JSON.stringify(event.detail)), state: el.state }));
  }
  channel.onmessage = (event) => {
    if (event.data === 'verdict') verdict = true;
    if (event.data === 'describe') {
      const root = el.shadowRoot;
      say({ described: true, state: el.state, text: root.querySelector('.base').textContent.replace(/\\s+/g, ' ').trim(), buttons: [...root.querySelectorAll('button')].map((b) => b.textContent.trim()) });
    }
    if (event.data === 'cancel') el.shadowRoot.querySelector('[part~="trigger"]').click();
    if (event.data === 'close') close();
  };
  document.body.append(el);
  await el.updateComplete;
  say({ ready: true, opener: window.opener === null ? 'none' : 'some' });
  el.start();
</script></body></html>`;

// A page whose Content-Security-Policy and Permissions-Policy come from its query (`csp`, `pp`: header
// values, `{flow}` standing for `flow`, the flow origin the element is given; `warm`: its warm-url;
// `hang`: a session endpoint that never answers; `starts`: how many starts, a reset between; `press`: a
// press on the start button 300 ms before the start). Its element
// starts at once on a stubbed session endpoint; the page tells its parent what the element did, what it
// logged (console.error), and `settled` once a start's flow loaded and the element's deferred module is there.
const POLICY_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Page policies</title></head>
<body>
<script type="module">
  import '/src/index.ts';
  const query = new URL(location.href).searchParams;
  const say = (data) => parent.postMessage({ fixture: 'policy', ...data }, '*');
  const error = console.error;
  console.error = (...args) => { say({ logged: String(args[0]) }); error.apply(console, args); };
  window.fetch = (input, init) => {
    say({ fetch: String(input) });
    if (!query.has('hang')) return Promise.resolve(new Response(JSON.stringify({ session_id: '3fa85f64-5717-4562-b3fc-2c963f66afa6', technologies: ['LD'] }), { headers: { 'content-type': 'application/json' } }));
    return new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => { say({ aborted: true }); reject(init.signal.reason); }));
  };
  const el = document.createElement('biometric-flow');
  el.locale = 'en';
  el.id = 'policy';
  el.sessionEndpoint = '/api/session';
  el.flowBaseUrl = query.get('flow');
  if (query.has('warm')) el.warmUrl = query.get('warm');
  let starts = Number(query.get('starts') ?? 1);
  const start = () => { starts -= 1; el.start(); };
  el.addEventListener('session-created', () => say({ type: 'session-created', frames: el.shadowRoot.querySelectorAll('iframe[allow]').length }));
  el.addEventListener('flow-error', (event) => {
    say({ type: 'flow-error', code: event.detail.code, message: event.detail.message, state: el.state, frames: el.shadowRoot.querySelectorAll('iframe').length });
    if (starts > 0) el.updateComplete.then(() => { el.reset(); start(); });
  });
  el.addEventListener('flow-loaded', async () => {
    say({ type: 'flow-loaded' });
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve));
    say({ settled: true, state: el.state });
  });
  document.body.append(el);
  await el.updateComplete;
  if (query.has('press')) {
    // A press on the start button first, and time for what it put in to be refused.
    el.shadowRoot.querySelector('[part~="trigger"]').dispatchEvent(new PointerEvent('pointerdown', { button: 0, bubbles: true, composed: true }));
    say({ pressed: el.shadowRoot.querySelectorAll('iframe').length });
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  start();
</script></body></html>`;

/**
 * Answers the test flow's paths; returns undefined for anything else.
 * @param {string} pathname
 * @param {string} [search] the query, for the page-policies fixture
 * @returns {{ status: number, type: string, body: string, headers?: Record<string,string> } | undefined}
 */
export function flowResponse(pathname, search = '') {
  if (/^\/flow\/[^/]+$/.test(pathname)) return { status: 200, type: 'text/html', body: FLOW_PAGE };
  if (pathname === '/finished') return { status: 200, type: 'text/html', body: FINISHED_PAGE };
  if (pathname === '/__fixtures/coop-popup.html') {
    return { status: 200, type: 'text/html', body: COOP_POPUP_PAGE, headers: { 'Cross-Origin-Opener-Policy': 'same-origin' } };
  }
  if (pathname === '/__fixtures/camera-blocked.html') {
    return { status: 200, type: 'text/html', body: CAMERA_BLOCKED_PAGE, headers: { 'Permissions-Policy': 'camera=()' } };
  }
  if (pathname === '/__fixtures/policy.html') {
    const query = new URLSearchParams(search);
    const flow = query.get('flow') ?? '';
    /** @type {Record<string, string>} */
    const headers = {};
    if (query.has('csp')) headers['Content-Security-Policy'] = (query.get('csp') ?? '').replaceAll('{flow}', flow);
    if (query.has('pp')) headers['Permissions-Policy'] = (query.get('pp') ?? '').replaceAll('{flow}', flow);
    return { status: 200, type: 'text/html', body: POLICY_PAGE, headers };
  }
  return undefined;
}

/** Starts the cross-origin flow server on 127.0.0.1 and an ephemeral port. */
export async function startFlowOrigin() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const answer = flowResponse(url.pathname, url.search);
    if (!answer) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.type, ...answer.headers }).end(answer.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve(undefined)); }),
  };
}
