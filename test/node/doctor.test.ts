// `biometric-flow doctor` against pages served on 127.0.0.1: a good one built with securityHeaders(), and
// one for each header, URL or endpoint that would block the flow. The session and status endpoints are
// the real handlers, so what the doctor reads from them is what they answer.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { formatReport, runDoctor, type Check, type DoctorOptions, type DoctorReport } from '../../src/doctor/doctor.js';
import { createSessionHandler, createStatusHandler, securityHeaders, toNodeListener } from '../../src/server/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const API_KEY = 'bf_test+Secret/Key=' + 'Zq7Xw3Lp9'.repeat(4);
// Nothing listens there: should the doctor ever POST (it must not), no session is asked of anyone.
const API_BASE_URL = 'http://127.0.0.1:9';
const TOKEN_SECRET = 'doctor-test-token-secret-0123456789abcdef';
const VENDOR = 'https://remote.biometric.kz';
const silent = { warn() {}, error() {} };

interface Page {
  headers?: Record<string, string>;
  /** Attributes of the <biometric-flow> tag; `null` for a page without one. */
  element?: string | null;
  body?: string;
}

interface Site {
  url: string;
  /** Method and path of every request, in order. */
  requests: string[];
  /** `<method> <path> <cookie header or ->` of every request, in order. */
  cookies: string[];
  /** Serves `page` at `/<name>`. */
  page(name: string, page: Page): string;
  close(): Promise<void>;
}

/**
 * A site on 127.0.0.1: pages by name, the session and status handlers at /api/biometric/*, and whatever
 * `routes` adds. `allowedOrigins` goes to both handlers. With `login`, the app's own sign-in stands in
 * front of everything but /login: without that Cookie header, pages redirect to /login (a password
 * form) and /api/* answers 401 `{ "error": "unauthorized" }`, as apps' session middleware does.
 */
async function startSite(
  options: { allowedOrigins?: string[]; login?: string; routes?: Record<string, (req: IncomingMessage, res: ServerResponse) => void> } = {},
): Promise<Site> {
  const pages = new Map<string, Page>();
  const requests: string[] = [];
  const cookies: string[] = [];
  const origins = options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {};
  const session = toNodeListener(createSessionHandler({ apiKey: API_KEY, apiBaseUrl: API_BASE_URL, tokenSecret: TOKEN_SECRET, logger: silent, ...origins }), { logger: silent });
  const status = toNodeListener(createStatusHandler({ apiKey: API_KEY, apiBaseUrl: API_BASE_URL, tokenSecret: TOKEN_SECRET, logger: silent, ...origins }), { logger: silent });
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    requests.push(`${req.method} ${path}`);
    cookies.push(`${req.method} ${path} ${req.headers.cookie ?? '-'}`);
    if (options.login !== undefined && path !== '/login' && req.headers.cookie !== options.login) {
      if (path.startsWith('/api/')) res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      else res.writeHead(302, { location: `/login?next=${encodeURIComponent(path)}` }).end();
      return;
    }
    if (path === '/login') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><form method="post"><input name="user"><input type="password" name="password"></form>');
      return;
    }
    if (path === '/api/biometric/session') return session(req, res);
    if (path === '/api/biometric/status') return status(req, res);
    const route = options.routes?.[path];
    if (route) return route(req, res);
    const page = pages.get(path.slice(1));
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const element = page.element === null ? '' : `<biometric-flow ${page.element ?? 'session-endpoint="/api/biometric/session" status-endpoint="/api/biometric/status"'}></biometric-flow>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...page.headers });
    res.end(`<!doctype html><html lang="en"><title>Verify</title>${element}${page.body ?? ''}</html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    cookies,
    page(name, page) {
      pages.set(name, page);
      return `${url}/${name}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The fetch a browser on `https://shop.example` would see, served by `site` (the way a TLS proxy in front of it would). */
function throughHttps(site: Site, host = 'https://shop.example'): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const local = url.origin === host ? new URL(url.pathname + url.search, site.url) : url;
    const response = await fetch(local, init);
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}

/** A page served with securityHeaders() and both endpoints: nothing on it blocks the flow. */
const goodPageOf = (on: Site, name: string) => on.page(name, { headers: securityHeaders() });
const goodPage = (name: string) => goodPageOf(site, name);

const doctor = (options: DoctorOptions) => runDoctor({ timeoutMs: 5000, ...options });
const failing = (report: DoctorReport) => report.checks.filter((check) => check.status === 'fail');
const only = (report: DoctorReport, id: string): Check[] => report.checks.filter((check) => check.id === id);

/** Asserts the report blocks, on exactly the check `id`, with a message matching `message`. */
function assertBlocksOn(report: DoctorReport, id: string, message: RegExp): Check {
  assert.equal(report.blocking, true, 'the report blocks');
  assert.deepEqual(failing(report).map((check) => check.id), [id], JSON.stringify(report.checks, null, 2));
  const check = failing(report)[0]!;
  assert.match(check.message, message);
  assert.ok(check.fix, 'a failing check says how to fix it');
  assert.match(check.anchor ?? '', /^#[a-z-]+$/, 'and where the README explains it');
  return check;
}

let site: Site;
before(async () => {
  site = await startSite();
});
after(() => site.close());

describe('biometric-flow doctor', () => {
  it('passes a page served with securityHeaders(), in every mode, and probes the endpoints without a POST', async () => {
    for (const mode of ['inline', 'modal', 'popup'] as const) {
      const url = site.page(`good-${mode}`, {
        headers: { ...securityHeaders({ mode }), 'cross-origin-opener-policy': securityHeaders({ mode })['Cross-Origin-Opener-Policy'] ?? 'same-origin' },
        element: `mode="${mode}" session-endpoint="/api/biometric/session" status-endpoint="/api/biometric/status"`,
      });
      const seen = site.requests.length;
      const report = await doctor({ url });
      assert.equal(report.blocking, false, JSON.stringify(report.checks, null, 2));
      assert.deepEqual(report.checks.filter((check) => check.status !== 'pass'), [], `${mode}: no warnings either`);
      assert.equal(report.mode, mode);
      assert.match(only(report, 'session-endpoint')[0]!.message, /GET → 405 method-not-allowed \(Allow: POST, OPTIONS\)/);
      assert.match(only(report, 'status-endpoint')[0]!.message, /401 status-token-invalid/);
      assert.deepEqual(site.requests.slice(seen), [
        `GET /good-${mode}`,
        'OPTIONS /api/biometric/session',
        'GET /api/biometric/session',
        'GET /api/biometric/status',
      ]);
      assert.deepEqual(report.notProbed, [`POST ${site.url}/api/biometric/session: it would create a session, which the vendor bills`]);
    }
  });

  it('fails a Permissions-Policy that forbids the camera to the page itself', async () => {
    const report = await doctor({ url: site.page('camera-none', { headers: { 'permissions-policy': 'camera=(), geolocation=()' } }) });
    assertBlocksOn(report, 'camera-policy', /camera=\(\) forbids the camera to the page itself/);
  });

  it('fails a Permissions-Policy that keeps the camera to the page and does not delegate it to the flow', async () => {
    const report = await doctor({ url: site.page('camera-self', { headers: { 'permissions-policy': 'camera=(self), microphone=*' } }) });
    const check = assertBlocksOn(report, 'camera-policy', /camera=\(self\) does not delegate the camera to https:\/\/remote\.biometric\.kz/);
    assert.match(check.fix!, /camera=\(self "https:\/\/remote\.biometric\.kz"\)/);
  });

  it('fails the older Feature-Policy that forbids the camera, and only warns about it in popup mode', async () => {
    const headers = { 'feature-policy': "camera 'none'; microphone 'self'" };
    assertBlocksOn(await doctor({ url: site.page('feature-policy', { headers }) }), 'camera-policy', /Feature-Policy camera 'none'/);
    const popup = await doctor({ url: site.page('feature-policy-popup', { headers, element: 'mode="popup" session-endpoint="/api/biometric/session"' }) });
    assert.equal(popup.blocking, false);
    assert.ok(only(popup, 'camera-policy').every((check) => check.status === 'warn'));
  });

  it('fails a CSP whose frame-src, child-src or default-src does not allow the flow origin', async () => {
    for (const csp of ["frame-src 'self'", "child-src 'self' https://video.example", "default-src 'self'", `frame-src https://remote.biometric.kz.evil.example`]) {
      const report = await doctor({ url: site.page(`csp-${csp.length}`, { headers: { 'content-security-policy': csp } }) });
      assertBlocksOn(report, 'csp-frame', /does not allow https:\/\/remote\.biometric\.kz: the flow's frame stays blank/);
    }
    for (const csp of [`default-src 'self' ${VENDOR}`, 'frame-src https:', 'frame-src https://*.biometric.kz', "child-src *"]) {
      const report = await doctor({ url: site.page(`csp-ok-${csp.length}`, { headers: { 'content-security-policy': `${csp}; connect-src 'self'` } }) });
      assert.deepEqual(failing(report), [], csp);
    }
  });

  it('reads a CSP from <meta http-equiv>, and applies every policy of a repeated header', async () => {
    const meta = await doctor({ url: site.page('csp-meta', { body: `<meta http-equiv="Content-Security-Policy" content="frame-src 'self'">` }) });
    assertBlocksOn(meta, 'csp-frame', /frame-src 'self'/);
    const two = await doctor({ url: site.page('csp-two', { headers: { 'content-security-policy': `frame-src ${VENDOR}, default-src 'none'` } }) });
    assert.deepEqual(failing(two).map((check) => check.id), ['csp-frame', 'csp-connect', 'csp-connect'], 'session and status endpoints');
  });

  it('fails a connect-src that does not allow a session endpoint on another origin, which must also grant CORS', async () => {
    const api = await startSite({ allowedOrigins: [site.url] });
    try {
      const element = `session-endpoint="${api.url}/api/biometric/session"`;
      const blocked = await doctor({ url: site.page('connect', { headers: { 'content-security-policy': "connect-src 'self'" }, element }) });
      const check = assertBlocksOn(blocked, 'csp-connect', /connect-src 'self' does not allow the session-endpoint/);
      assert.match(check.fix!, new RegExp(`add ${api.url} to connect-src`));
      const allowed = await doctor({ url: site.page('connect-ok', { headers: securityHeaders({ sessionEndpoint: `${api.url}/x` }), element }) });
      assert.deepEqual(failing(allowed), []);
      assert.match(only(allowed, 'session-endpoint')[0]!.message, /OPTIONS → 204/);
    } finally {
      await api.close();
    }
  });

  it('fails an endpoint that refuses the page origin: another origin without allowedOrigins, or a proxy the handler does not see through', async () => {
    const api = await startSite();
    try {
      const cross = await doctor({ url: site.page('cross', { element: `session-endpoint="${api.url}/api/biometric/session"` }) });
      const check = assertBlocksOn(cross, 'session-endpoint', /refuses this page's origin .* \(403 forbidden-origin\)/);
      assert.match(check.fix!, new RegExp(`allowedOrigins: \\['${site.url}'\\]`));
    } finally {
      await api.close();
    }
    // Served as https://shop.example through a proxy: the handler sees http://127.0.0.1:<port> as its own origin.
    goodPage('proxied');
    const proxied = await doctor({ url: 'https://shop.example/proxied', fetch: throughHttps(site) });
    assert.deepEqual(failing(proxied).map((check) => check.id), ['session-endpoint', 'status-endpoint']);
    assert.match(only(proxied, 'session-endpoint')[0]!.fix!, /allowedOrigins: \['https:\/\/shop\.example'\], or trustProxy: true/);
  });

  it('fails Cross-Origin-Opener-Policy: same-origin in popup mode without a status endpoint, and warns with one', async () => {
    const headers = { ...securityHeaders(), 'cross-origin-opener-policy': 'same-origin' };
    const severed = await doctor({ url: site.page('coop', { headers, element: 'mode="popup" session-endpoint="/api/biometric/session"' }) });
    const check = assertBlocksOn(severed, 'coop', /same-origin cuts the popup off .* popup-severed/);
    assert.match(check.fix!, /same-origin-allow-popups/);
    assert.equal(check.anchor, '#popups-and-cross-origin-opener-policy');
    const waiting = await doctor({ url: site.page('coop-status', { headers, element: 'mode="popup" session-endpoint="/api/biometric/session" status-endpoint="/api/biometric/status"' }) });
    assert.equal(waiting.blocking, false);
    assert.equal(only(waiting, 'coop')[0]!.status, 'warn');
    const inline = await doctor({ url: site.page('coop-inline', { headers }) });
    assert.deepEqual(only(inline, 'coop'), [], 'inline mode does not care');
    const flag = await doctor({ url: site.page('coop-inline', { headers }), mode: 'popup' });
    assert.equal(only(flag, 'coop')[0]!.status, 'warn', '--mode overrides the tag');
  });

  it('fails an http: page off loopback (no secure context) and http: endpoints or flow on an https: page (mixed content)', async () => {
    goodPage('insecure');
    const insecure = await doctor({ url: 'http://shop.example/insecure', fetch: throughHttps(site, 'http://shop.example') });
    assert.ok(failing(insecure).some((check) => check.id === 'secure-context' && /not a secure context/.test(check.message)));
    site.page('mixed', { headers: securityHeaders(), element: 'session-endpoint="http://api.shop.example/session" flow-base-url="http://flow.shop.example"' });
    const mixed = await doctor({ url: 'https://shop.example/mixed', fetch: throughHttps(site) });
    assert.deepEqual(failing(mixed).map((check) => check.id), ['flow-url', 'session-endpoint']);
    assert.match(only(mixed, 'session-endpoint')[0]!.message, /mixed content/);
    assert.match(only(mixed, 'flow-url')[0]!.message, /flow-url-invalid; it would be mixed content too/);
    const loopback = await doctor({ url: site.page('emulator', { headers: securityHeaders({ flowBaseUrl: 'http://127.0.0.1:8790' }), element: 'session-endpoint="/api/biometric/session" flow-base-url="http://127.0.0.1:8790"' }) });
    assert.deepEqual(failing(loopback), [], 'the emulator on loopback is fine');
  });

  it('fails a missing session endpoint: no attribute, or nothing answering at its path', async () => {
    const none = await doctor({ url: site.page('no-attribute', { element: 'mode="modal"' }) });
    assertBlocksOn(none, 'session-endpoint', /no session-endpoint attribute/);
    const missing = await doctor({ url: site.page('404', { element: 'session-endpoint="/api/verify/session"' }) });
    assertBlocksOn(missing, 'session-endpoint', /nothing answers POST at .*\/api\/verify\/session: OPTIONS → 404, GET → 404/);
    const script = await doctor({ url: site.page('spa', { element: null }) });
    assert.equal(script.blocking, false, 'a tag made by a script may have the attribute: not known, so not blocking');
    assert.deepEqual(script.checks.filter((check) => check.status === 'warn').map((check) => check.id), ['element', 'session-endpoint']);
    assert.match(only(script, 'session-endpoint')[0]!.fix!, /--session-endpoint/);
    const given = await doctor({ url: site.page('spa', { element: null }), sessionEndpoint: '/api/biometric/session' });
    assert.equal(given.blocking, false, '--session-endpoint stands in for the attribute');
  });

  it('takes a bare <biometric-flow> (set up by a framework in the browser) for what it is: no blocking count, the flags to pass', async () => {
    // What a Next.js page with biometric-flow/react serves: the tag without attributes, and headers made
    // for the flow URL the app sets by script (here the emulator's).
    const emulatorFlow = 'http://127.0.0.1:8790';
    const url = site.page('framework', { headers: securityHeaders({ flowBaseUrl: emulatorFlow }), element: 'class="verify"' });
    const report = await doctor({ url });
    assert.equal(report.blocking, false, JSON.stringify(report.checks, null, 2));
    assert.deepEqual(report.setUpByScript, { flags: '--session-endpoint <path> [--status-endpoint <path>] [--mode inline|modal|popup] [--flow-base-url <url>]' });
    assert.match(only(report, 'element')[0]!.message, /without any of its attributes .* sets it up by script/);
    assert.match(only(report, 'element')[0]!.fix!, /--session-endpoint <path>/);
    // The page's policies name the emulator, not the default flow the doctor had to assume: doubts, not blocks.
    assert.deepEqual([...new Set(report.checks.filter((check) => check.status === 'warn').map((check) => check.id))], ['element', 'session-endpoint', 'camera-policy', 'csp-frame']);
    assert.match(only(report, 'csp-frame')[0]!.message, /judged against the default flow-base-url; pass --flow-base-url/);
    assert.doesNotMatch(formatReport(report), /blocking problem/);
    assert.match(formatReport(report), /<biometric-flow> is set up by script, so this ran on defaults: run again with --session-endpoint <path> .*, as the page sets them\.\n$/);

    const flagged = await doctor({ url, sessionEndpoint: '/api/biometric/session', statusEndpoint: '/api/biometric/status', flowBaseUrl: emulatorFlow });
    assert.equal(flagged.setUpByScript, undefined);
    assert.deepEqual(flagged.checks.filter((check) => check.status !== 'pass'), [], 'with the flags, nothing is left in doubt');
    assert.match(formatReport(flagged), /0 blocking problems, 0 warnings: nothing blocks the flow\.\n$/);

    // A real block on the page itself is still counted, beside the flags.
    const insecure = await doctor({ url: site.page('framework-camera', { headers: { 'permissions-policy': 'camera=()' }, element: '' }) });
    assert.deepEqual(failing(insecure).map((check) => check.id), ['camera-policy']);
    assert.match(formatReport(insecure), /set up by script, so this ran on defaults \(1 blocking problem, 2 warnings\): run again with/);
  });

  it('gets past the app\'s sign-in with the headers it is given, and sends them to the page\'s origin only', async () => {
    const shop = await startSite({ login: 'session=alice' });
    const api = await startSite({ allowedOrigins: [shop.url] });
    try {
      const url = shop.page('account/verify', { headers: securityHeaders({ sessionEndpoint: `${api.url}/x` }), element: `session-endpoint="${api.url}/api/biometric/session" status-endpoint="/api/biometric/status"` });
      const signedOut = await doctor({ url });
      assert.match(only(signedOut, 'page')[0]!.message, /redirected to .*\/login.*a sign-in form .* wants a sign-in/);
      assert.match(only(signedOut, 'page')[0]!.fix!, /--cookie 'name=value'/);
      assert.equal(signedOut.setUpByScript?.flags.startsWith('--session-endpoint'), true, 'no tag seen: the flags are named too');

      const signedIn = await doctor({ url, headers: { cookie: 'session=alice' } });
      assert.deepEqual(signedIn.checks.filter((check) => check.status !== 'pass'), [], JSON.stringify(signedIn.checks, null, 2));
      assert.match(only(signedIn, 'status-endpoint')[0]!.message, /wants a status token: GET → 401 status-token-invalid/);
      assert.deepEqual(signedIn.sentHeaders, ['cookie']);
      assert.ok(!JSON.stringify(signedIn).includes('alice'), 'the cookie is never in the report');
      assert.ok(shop.cookies.includes('GET /api/biometric/status session=alice'), 'the same-origin endpoint got the cookie');
      assert.ok(api.cookies.length > 0 && api.cookies.every((line) => line.endsWith(' -')), `another origin never gets it: ${api.cookies.join(', ')}`);

      const wrong = await doctor({ url, headers: { cookie: 'session=mallory' } });
      assert.match(only(wrong, 'page')[0]!.fix!, /the cookie given did not get past it/);
    } finally {
      await Promise.all([shop.close(), api.close()]);
    }
  });

  it("tells the app's own 401 in front of an endpoint from the status handler's status-token-invalid", async () => {
    const guarded = await startSite({
      routes: {
        '/api/guarded/status': (_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}'),
        '/api/guarded/session': (_req, res) => res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized'),
      },
    });
    try {
      const report = await doctor({ url: guarded.page('guarded', { element: 'session-endpoint="/api/guarded/session" status-endpoint="/api/guarded/status"' }) });
      for (const id of ['session-endpoint', 'status-endpoint']) {
        const [check] = only(report, id);
        assert.equal(check!.status, 'warn', `${id}: not a pass`);
        assert.match(check!.message, /GET → 401.*not the handler's own answer: the app's sign-in .* answered/);
        assert.match(check!.fix!, /--cookie/);
      }
      assert.match(only(report, 'status-endpoint')[0]!.message, /whether it checks the status token is not known/);
    } finally {
      await guarded.close();
    }
  });

  it('takes an Express-style route (OPTIONS 200 with Allow: POST, GET 404) as present', async () => {
    const express = await startSite({
      routes: {
        '/express/session': (req, res) => {
          if (req.method === 'OPTIONS') res.writeHead(200, { allow: 'POST', 'content-type': 'text/plain' }).end('POST');
          else res.writeHead(404, { 'content-type': 'text/html' }).end(`Cannot ${req.method} /express/session`);
        },
      },
    });
    try {
      const report = await doctor({ url: express.page('express', { element: 'session-endpoint="/express/session"' }) });
      assert.deepEqual(failing(report), []);
      assert.equal(only(report, 'session-endpoint')[0]!.status, 'pass');
    } finally {
      await express.close();
    }
  });

  it('fails a key-looking value in an endpoint answer, the page HTML or an api-key attribute, and never prints it whole', async () => {
    const leakedKey = 'Zq7Xw3Lp9'.repeat(6);
    const leaky = await startSite({
      routes: {
        '/debug/session': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, config: { api_key: leakedKey } })),
      },
    });
    try {
      const endpoint = await doctor({ url: leaky.page('leaky', { element: 'session-endpoint="/debug/session"' }) });
      const check = assertBlocksOn(endpoint, 'key-leak', /GET .*\/debug\/session body: api_key = Zq7X… \(54 characters\)/);
      assert.ok(!JSON.stringify(endpoint).includes(leakedKey), 'the report never holds the key');
      assert.match(check.fix!, /rotate/);
    } finally {
      await leaky.close();
    }
    const inline = await doctor({ url: site.page('inline-key', { body: `<script>const flow = { apiKey: '${leakedKey}' };</script>` }) });
    assertBlocksOn(inline, 'key-leak', /the page HTML: apiKey = Zq7X…/);
    const attribute = await doctor({ url: site.page('attribute-key', { element: `session-endpoint="/api/biometric/session" api-key="${leakedKey}"` }) });
    assertBlocksOn(attribute, 'key-leak', /api-key attribute on <biometric-flow>/);
    assert.ok(!JSON.stringify(attribute).includes(leakedKey), 'the attribute is reported, not repeated');
    const short = await doctor({ url: site.page('not-a-key', { body: `<script>const apiKey = 'abc';</script>` }) });
    assert.deepEqual(failing(short), [], 'a short value is not a key');
  });

  it('fails a key inlined into a same-origin script (a bundler with a public env variable), and reads no script of another origin', async () => {
    const leakedKey = 'Zq7Xw3Lp9'.repeat(6);
    const bundle = await startSite({
      routes: {
        '/assets/index-4f2a.js': (_req, res) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(`const c={apiKey:"${leakedKey}"};export{c};`),
        '/assets/clean.js': (_req, res) => res.writeHead(200, { 'content-type': 'text/javascript' }).end('export const a = 1;'),
      },
    });
    try {
      const leaky = await doctor({ url: bundle.page('bundle', { body: '<script type="module" src="/assets/index-4f2a.js"></script>' }) });
      assertBlocksOn(leaky, 'key-leak', /\/assets\/index-4f2a\.js: apiKey = Zq7X… \(54 characters\)/);
      const seen = bundle.requests.length;
      const clean = await doctor({
        url: bundle.page('clean', { body: `<link rel="modulepreload" href="./assets/clean.js"><script src="${site.url}/assets/other.js"></script>` }),
      });
      assert.deepEqual(failing(clean), []);
      assert.match(only(clean, 'key-leak')[0]!.message, /1 same-origin script or 3 probe answers/);
      assert.ok(bundle.requests.slice(seen).includes('GET /assets/clean.js'));
      assert.ok(!site.requests.includes('GET /assets/other.js'), 'another origin\'s script is not fetched');
    } finally {
      await bundle.close();
    }
  });

  it('follows redirects to the page and judges it at its final origin', async () => {
    const target = goodPage('moved');
    const redirecting = await startSite({
      routes: { '/old': (_req, res) => res.writeHead(301, { location: target }).end() },
    });
    try {
      const report = await doctor({ url: `${redirecting.url}/old` });
      assert.equal(report.finalUrl, target);
      assert.match(only(report, 'page')[0]!.message, /redirected to/);
      assert.deepEqual(failing(report), []);
      assert.equal(report.sessionEndpoint, `${site.url}/api/biometric/session`);
    } finally {
      await redirecting.close();
    }
  });

  it('fails a page it cannot fetch within the timeout', async () => {
    const hanging = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const report = await doctor({ url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`, timeoutMs: 200 });
      assert.equal(report.blocking, true);
      assert.deepEqual(failing(report).map((check) => check.id), ['page']);
      assert.match(failing(report)[0]!.message, /could not fetch .*: .*(timeout|aborted)/i);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });
});

describe('the biometric-flow command', () => {
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/doctor/cli.ts', ...args], { cwd: root, timeout: 30_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  it('prints ✓ lines and exits 0 for a good page, ✗ lines with fixes and 1 for a bad one, 2 for a usage error', async () => {
    const good = await cli(['doctor', goodPage('cli-good')]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /^✓ camera-policy: /m);
    assert.match(good.stdout, /0 blocking problems, 0 warnings: nothing blocks the flow\.$/m);

    const bad = await cli(['doctor', site.page('cli-bad', { headers: { 'permissions-policy': 'camera=()', 'content-security-policy': "default-src 'self'" } })]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /^✗ camera-policy: Permissions-Policy camera=\(\) forbids/m);
    assert.match(bad.stdout, /^ {4}fix: send Permissions-Policy: camera=\(self "https:\/\/remote\.biometric\.kz"\).* — README\.md#headers$/m);
    assert.match(bad.stdout, /^✗ csp-frame: /m);
    assert.match(bad.stdout, /^2 blocking problems, 0 warnings: the flow will not work on this page as served\.$/m);

    for (const args of [['doctor'], ['doctor', 'not a url'], ['cure', site.url], ['doctor', site.url, '--mode', 'dialog']]) {
      const usage = await cli(args);
      assert.equal(usage.code, 2, args.join(' '));
      assert.match(usage.stderr, /^biometric-flow: .*\n\nUsage: biometric-flow doctor <url>/, args.join(' '));
    }
  });

  it('takes --cookie and --header (repeatable) for a page behind a sign-in, and refuses a header without a colon', async () => {
    const shop = await startSite({ login: 'session=alice; theme=dark' });
    try {
      const url = goodPageOf(shop, 'cli-login');
      const result = await cli(['doctor', url, '--cookie', 'session=alice', '--cookie', 'theme=dark', '--header', 'X-Debug: 1']);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^✓ status-endpoint: .*wants a status token/m);
      assert.ok(!result.stdout.includes('alice'), 'the cookie is not printed');
      const usage = await cli(['doctor', url, '--header', 'Authorization Bearer s3cret']);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--header must be 'Name: value'/);
      assert.ok(!usage.stderr.includes('s3cret'));
    } finally {
      await shop.close();
    }
  });

  it('names the flags to pass for a bare tag instead of counting blocking problems', async () => {
    const result = await cli(['doctor', site.page('cli-bare', { headers: securityHeaders({ flowBaseUrl: 'http://127.0.0.1:8790' }), element: '' })]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /blocking problem/);
    assert.match(result.stdout, /^<biometric-flow> is set up by script, so this ran on defaults: run again with --session-endpoint <path>/m);
  });

  it('prints the report as JSON with --json, and takes the endpoints from the command line', async () => {
    const result = await cli(['doctor', site.page('cli-json', { element: null }), '--json', '--session-endpoint', '/api/biometric/session', '--mode', 'modal']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as DoctorReport;
    assert.equal(report.mode, 'modal');
    assert.equal(report.sessionEndpoint, `${site.url}/api/biometric/session`);
    assert.equal(report.blocking, false);
    assert.deepEqual(report.probes.map((probe) => `${probe.method} ${probe.status}`), ['OPTIONS 204', 'GET 405']);
  });
});
