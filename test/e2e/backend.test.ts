/**
 * The demo's host backend over HTTP, and `npm start` itself: presets pick the flow and the metadata on
 * the server, no key reaches an answer, and the start script prints where to go and stops on SIGTERM.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { startDemo, type Demo } from '../../demo/server.js';
import { FAILURE_PRESETS, PRESETS } from '../../demo/presets.js';
import { FLOW_FAILURES, FLOW_FAILURE_NAMES } from '../../src/emulator/index.js';
import { sendEvent, walkSession } from '../emulator/helpers.js';
import { startTestDemo } from '../support/e2e.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const silent = { info() {}, warn() {}, error() {} };

async function post(demo: Demo, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(new URL('/api/session', demo.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(demo.url).origin, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('demo backend', { timeout: 60_000 }, () => {
  let demo: Demo;
  let keys: string[];

  before(async () => {
    demo = await startTestDemo();
    keys = demo.emulator!.flows.map((flow) => flow.apiKey);
  });
  after(() => demo?.close());

  const leaksKey = (text: string) => keys.some((key) => text.includes(key));

  it('describes presets and their flows without any key', async () => {
    const response = await fetch(new URL('/api/config', demo.url));
    const text = await response.text();
    assert.equal(response.status, 200);
    assert.equal(leaksKey(text), false);
    const config = JSON.parse(text);
    assert.equal(config.backend, 'emulator');
    assert.equal(config.flowBaseUrl, demo.emulatorUrl);
    assert.deepEqual(
      config.presets.map((preset: { id: string; flow: { technologies: string[] } }) => [preset.id, preset.flow.technologies.join('+')]),
      [
        ['default', 'LD+F2F'],
        ['ldhp', 'LDHP+F2F'],
        ['photo1', 'LD+F2F'],
        ['edocument-skip', 'LD+ED+F2F'],
        ['edocument-iin-fixed', 'LD+ED+F2F'],
        ['edocument-editable', 'LD+ED+F2F'],
        ['document', 'LD+DR+F2F'],
        ['no-subscription', 'LD+F2F'],
      ],
    );
  });

  it("creates each preset's session with its flow's key and the server's metadata", async () => {
    for (const preset of PRESETS.filter((candidate) => candidate.id !== 'no-subscription')) {
      const answer = await post(demo, { locale: 'en', context: { preset: preset.id } });
      assert.equal(answer.status, 200, `${preset.id}: ${answer.text}`);
      assert.equal(leaksKey(answer.text), false);
      const created = JSON.parse(answer.text);
      const session = demo.emulator!.sessions.get(created.session_id)!;
      assert.equal(session.flowName, preset.flow, preset.id);
      assert.equal(created.flow_url, `${new URL(demo.emulatorUrl!).origin}/flow/${created.session_id}?web_view=true&locale=en`, 'a native app opens the emulator');
      assert.deepEqual(session.metadata, preset.metadata ?? null, preset.id);
    }
  });

  it('has a failure preset per failure reason of the emulator, each on a flow that fails with it, not among the choices', async () => {
    const config = await (await fetch(new URL('/api/config', demo.url))).json();
    assert.deepEqual(
      config.failurePresets.map((preset: { id: string }) => preset.id),
      FLOW_FAILURE_NAMES.map((name) => `fails-${name}`),
    );
    for (const preset of FAILURE_PRESETS) {
      const answer = await post(demo, { locale: 'en', context: { preset: preset.id } });
      assert.equal(answer.status, 200, `${preset.id}: ${answer.text}`);
      const session = demo.emulator!.sessions.get(JSON.parse(answer.text).session_id)!;
      assert.equal(session.flowName, preset.flow, preset.id);
      assert.equal(demo.emulator!.flows.find((flow) => flow.name === preset.flow)!.failWith, preset.id.slice('fails-'.length));
    }
  });

  it("gives a session of a failure preset its reason's code in the status summary, though every step was passed", async () => {
    const created = JSON.parse((await post(demo, { locale: 'en', context: { preset: 'fails-eyes-closed' } })).text);
    const id: string = created.session_id;
    for (const event of [
      { type: 'technology.start', technology_code: 'LD' },
      { type: 'technology.end', technology_code: 'LD', success: true },
      { type: 'flow.end' },
    ]) {
      assert.equal((await sendEvent(demo.emulator!, id, event)).status, 200);
    }
    // The demo's emulator lags its result by DEMO_RESULT_DELAY_MS, as the vendor does.
    const deadline = Date.now() + 15_000;
    let body: { status: string; result?: { failure_reasons: unknown[] } };
    do {
      const response = await fetch(new URL(`/api/status?session_id=${id}`, demo.url), { headers: { 'Biometric-Status-Token': created.status_token } });
      body = (await response.json()) as typeof body;
      if (body.status === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (Date.now() < deadline);
    assert.equal(body.status, 'FAILED');
    assert.deepEqual(body.result!.failure_reasons, [{ code: FLOW_FAILURES['eyes-closed'].code, technology: 'LD', text: 'Closed eyes' }]);
  });

  it('answers the no-subscription preset as the vendor refuses it: 502 subscription-inactive', async () => {
    const answer = await post(demo, { locale: 'en', context: { preset: 'no-subscription' } });
    assert.equal(answer.status, 502, answer.text);
    assert.equal(JSON.parse(answer.text).error.code, 'subscription-inactive');
    assert.equal(leaksKey(answer.text), false);
  });

  it('refuses a missing or unknown preset, and metadata sent by the browser is not used', async () => {
    const unknown = await post(demo, { context: { preset: 'nope' } });
    assert.equal(unknown.status, 400);
    assert.equal(JSON.parse(unknown.text).error.code, 'unknown-preset');
    assert.equal((await post(demo, {})).status, 400);

    const smuggled = await post(demo, { context: { preset: 'default', metadata: { face2face: { photo1: 'AAAA' } } } });
    assert.equal(smuggled.status, 200);
    assert.equal(demo.emulator!.sessions.get(JSON.parse(smuggled.text).session_id)!.metadata, null);
  });

  it('leaves method, origin and JSON errors to biometric-flow/server', async () => {
    assert.equal((await post(demo, { context: { preset: 'default' } }, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await fetch(new URL('/api/session', demo.url))).status, 405);
    const broken = await fetch(new URL('/api/session', demo.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"context":',
    });
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as { error: { code: string } }).error.code, 'invalid-json');
  });

  it('answers status with the key of the flow the session was made with', async () => {
    const created = JSON.parse((await post(demo, { context: { preset: 'edocument-skip' } })).text);
    const status = await fetch(new URL(`/api/status?session_id=${created.session_id}`, demo.url), {
      headers: { 'Biometric-Status-Token': created.status_token },
    });
    assert.equal(status.status, 200);
    assert.equal(((await status.json()) as { status: string }).status, 'PROGRESS');
    const tokenless = await fetch(new URL(`/api/status?session_id=${created.session_id}`, demo.url));
    assert.equal(tokenless.status, 401, 'the session id alone reads nothing');
    const stranger = await fetch(new URL('/api/status?session_id=00000000-0000-4000-8000-000000000000', demo.url), {
      headers: { 'Biometric-Status-Token': created.status_token },
    });
    assert.equal(stranger.status, 401, "another session's token reads nothing");
    assert.equal((await fetch(new URL('/api/status?session_id=nope', demo.url))).status, 400);
  });

  it("binds each session to the signed-in demo user, refuses it to the other, and records the user's verdict once", async () => {
    const created = JSON.parse((await post(demo, { context: { preset: 'default' } }, { cookie: 'demo-user=bob' })).text);
    const statusAs = (user: string) =>
      fetch(new URL(`/api/status?session_id=${created.session_id}`, demo.url), {
        headers: { 'Biometric-Status-Token': created.status_token, cookie: `demo-user=${user}` },
      });
    assert.equal((await statusAs('alice')).status, 403, "alice's account with bob's token");
    assert.equal((await statusAs('bob')).status, 200);
    // The person finishes the flow, and the tab is closed: only the server can record the verdict.
    const event = (body: unknown) =>
      fetch(`${demo.emulatorUrl}/flow/${created.session_id}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const code of ['LD', 'F2F']) {
      assert.equal((await event({ type: 'technology.start', technology_code: code })).status, 200);
      assert.equal((await event({ type: 'technology.end', technology_code: code, success: true })).status, 200);
    }
    assert.equal((await event({ type: 'flow.end' })).status, 200);
    const recordsOf = async (user: string) =>
      ((await (await fetch(new URL('/api/records', demo.url), { headers: { cookie: `demo-user=${user}` } })).json()) as {
        user: string;
        records: { sessionId: string; outcome: string; via: string; afterEndMs?: number }[];
      });
    const deadline = Date.now() + 20_000;
    let bob = await recordsOf('bob');
    while (!bob.records.some((record) => record.sessionId === created.session_id) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      bob = await recordsOf('bob');
    }
    const mine = bob.records.filter((record) => record.sessionId === created.session_id);
    assert.equal(mine.length, 1, JSON.stringify(bob));
    assert.equal(mine[0]!.outcome, 'passed');
    assert.equal(mine[0]!.via, 'webhook', "no browser polled after the end: the emulator's flow.end webhook brought it");
    assert.ok(mine[0]!.afterEndMs !== undefined && mine[0]!.afterEndMs >= 3000, 'after the emulator\'s 3 s result lag');
    const alice = await recordsOf('alice');
    assert.equal(alice.user, 'alice');
    assert.equal(alice.records.some((record) => record.sessionId === created.session_id), false, "not in alice's records");
  });

  it("confirms the emulator's flow.end webhook with the key of the session's flow, whichever flow it is", async () => {
    // Not the first flow: the webhook is routed by its session, not to any flow's handler.
    const created = JSON.parse((await post(demo, { context: { preset: 'ldhp' } })).text);
    assert.equal(demo.emulator!.sessions.get(created.session_id)!.flowName, 'LDHP + F2F');
    await walkSession(demo.emulator!, created.session_id, ['LDHP', 'F2F']);
    const deadline = Date.now() + 20_000;
    let record: { sessionId: string; outcome: string; via: string } | undefined;
    while (!record && Date.now() < deadline) {
      const { records } = (await (await fetch(new URL('/api/records', demo.url))).json()) as { records: { sessionId: string; outcome: string; via: string }[] };
      record = records.find((candidate) => candidate.sessionId === created.session_id);
      if (!record) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.deepEqual(record && { outcome: record.outcome, via: record.via }, { outcome: 'passed', via: 'webhook' });
  });

  it('takes webhooks only at the URL with the token made for this run', async () => {
    assert.match(demo.webhookUrl!, new RegExp(`^${demo.url}api/webhook/[A-Za-z0-9_-]{43}$`));
    const other = await startTestDemo();
    try {
      assert.notEqual(other.webhookUrl, demo.webhookUrl, 'each run makes its own token');
    } finally {
      await other.close();
    }
    const created = JSON.parse((await post(demo, { context: { preset: 'default' } })).text);
    // A forged flow.end at the route without the token: refused before anything is asked of the vendor.
    const forged = await fetch(new URL('/api/webhook/not-the-token-of-this-run-0123456789abcdef', demo.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'forged', event: 'flow.end', session_id: created.session_id, created: Math.floor(Date.now() / 1000), success: true, flow_name: 'LD + F2F', metadata: {}, data: {} }),
    });
    assert.equal(forged.status, 403);
  });

  it('transforms every module script of the pages without an error (no Vite "Pre-transform error")', async () => {
    // Vite transforms a page's module scripts ahead of their request; the /cdn/ files are the
    // middleware's, and Vite must find them too (see backendPlugin's resolveId).
    for (const path of ['cdn-plain/module.html', 'module.html', 'script-tag.html', 'index.html']) {
      const html = await (await fetch(new URL(path, demo.url))).text();
      const sources = [...html.matchAll(/<script type="module" src="([^"]+)"/g)].map((match) => new URL(match[1]!, new URL(path, demo.url)).pathname);
      assert.ok(sources.length > 0, path);
      for (const source of sources) await demo.vite.transformRequest(source);
    }
  });

  it('links every page from the home page, the no-build pages too', async () => {
    const html = await (await fetch(demo.url)).text();
    for (const page of ['./script-tag.html', './module.html', './cdn-plain/classic.html', './cdn-plain/module.html']) {
      assert.ok(html.includes(`<h3><a href="${page}">`), `the home page has a card for ${page}`);
      assert.equal((await fetch(new URL(page, demo.url))).status, 200, page);
    }
  });

  it('answers /frameworks/… with a page that says where the framework apps are, not a Vite error', async () => {
    for (const path of ['/frameworks/vue3/', '/frameworks/react19/', '/frameworks/vue3/App.vue']) {
      const response = await fetch(new URL(path, demo.url));
      assert.equal(response.status, 200, path);
      const text = await response.text();
      assert.match(text, /<h1>Framework apps<\/h1>/, path);
      assert.equal(text.includes('plugin-vue'), false, path);
    }
  });

  it('serves only the CDN files under /cdn/', async () => {
    const file = await fetch(new URL('/cdn/biometric-flow.iife.js', demo.url));
    assert.equal(file.status, 200);
    assert.match(file.headers.get('content-type') ?? '', /^text\/javascript/);
    await file.arrayBuffer();
    assert.equal((await fetch(new URL('/cdn/%2e%2e/package.json', demo.url))).status, 404);
  });
});

describe('demo with a real API key (BIOMETRIC_API_KEY)', { timeout: 60_000 }, () => {
  // A stand-in "vendor": the emulator, reached as apiBaseUrl the way the real service would be.
  let vendor: Emulator;
  before(async () => {
    vendor = await startEmulator({ flows: [{ name: 'real', technologies: ['LD', 'ED', 'F2F'] }] });
  });
  after(() => vendor?.close());

  it('starts no emulator and creates every session with the given key', async () => {
    const apiKey = vendor.flows[0]!.apiKey;
    const demo = await startDemo({ port: 0, apiKey, apiBaseUrl: vendor.url, watch: false, logger: silent, viteLogLevel: 'error' });
    try {
      assert.equal(demo.backend, 'vendor');
      assert.equal(demo.emulator, undefined);
      assert.equal(demo.flowBaseUrl, 'https://remote.biometric.kz');
      const config = await (await fetch(new URL('/api/config', demo.url))).text();
      assert.equal(config.includes(apiKey), false);
      assert.equal(JSON.parse(config).flowBaseUrl, undefined, "the element keeps its default flow-base-url");
      const answer = await post(demo, { context: { preset: 'edocument-iin-fixed' } });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.text.includes(apiKey), false);
      const { session_id: id, status_token: token } = JSON.parse(answer.text);
      assert.equal(vendor.sessions.get(id)!.flowName, 'real');
      const status = await fetch(new URL(`/api/status?session_id=${id}`, demo.url), { headers: { 'Biometric-Status-Token': token } });
      assert.equal(status.status, 200);
      assert.equal(
        JSON.parse(config).presets.some((preset: { id: string }) => preset.id === 'no-subscription'),
        false,
        'presets only the emulator can act out are not offered against the real service',
      );
      assert.deepEqual(JSON.parse(config).failurePresets, []);
      assert.equal(demo.webhookUrl, undefined, "the vendor's webhook URL is set once, in its dashboard: no token made per run");
      assert.equal((await fetch(new URL('/api/webhook/anything', demo.url), { method: 'POST' })).status, 404);
    } finally {
      await demo.close();
    }
  });

  it('takes the vendor\'s webhooks at /api/webhook/<webhookToken> when a token is given', async () => {
    const apiKey = vendor.flows[0]!.apiKey;
    const webhookToken = 'a'.repeat(40);
    await assert.rejects(
      startDemo({ port: 0, apiKey, apiBaseUrl: vendor.url, webhookToken: 'short', watch: false, logger: silent, viteLogLevel: 'error' }),
      /webhookToken \(BIOMETRIC_WEBHOOK_TOKEN\) must be 32 to 256 characters/,
    );
    const demo = await startDemo({ port: 0, apiKey, apiBaseUrl: vendor.url, webhookToken, watch: false, logger: silent, viteLogLevel: 'error' });
    try {
      assert.equal(demo.webhookUrl, `${demo.url}api/webhook/${webhookToken}`);
      const postTo = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      // The handler answers at its URL (the envelope is refused as invalid), and refuses the wrong token.
      assert.equal((await postTo(demo.webhookUrl!)).status, 400);
      assert.equal((await postTo(new URL(`/api/webhook/${'b'.repeat(40)}`, demo.url).href)).status, 403);
    } finally {
      await demo.close();
    }
  });
});

describe('npm start (scripts/start.mjs)', { timeout: 90_000 }, () => {
  async function run(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string; url: string }> {
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', EMULATOR_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => (text += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 45 s:\n${text}`)), 45_000);
      const look = () => {
        const match = /biometric-flow demo: open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
        if (match && text.includes('Press Ctrl-C to stop.')) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout!.on('data', look);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code}:\n${text}`));
      });
    });
    return { child, output: () => text, url };
  }

  async function stop(child: ChildProcess): Promise<number | null> {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code] = await exited;
    clearTimeout(timer);
    return code as number | null;
  }

  it('prints the demo and emulator URLs, serves the pages, and stops on SIGTERM', async () => {
    const { child, output, url } = await run({ BIOMETRIC_API_KEY: '' });
    try {
      assert.match(output(), /Emulator \(vendor API and hosted flow\): http:\/\/127\.0\.0\.1:\d+/);
      assert.ok(output().includes(`The emulator posts its webhooks to ${url}api/webhook/… (a token made for this run)`), output());
      assert.doesNotMatch(output(), /api\/webhook\/[A-Za-z0-9_-]/, 'the token is not printed');
      const page = await fetch(new URL('module.html', url));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<biometric-flow id="flow"/);
    } finally {
      assert.equal(await stop(child), 0, output());
    }
    await assert.rejects(fetch(url), 'nothing listens after the stop');
  });

  it('stops with a clear message when an EMULATOR_PORT that was set is busy, rather than moving', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, ['scripts/start.mjs'], {
        cwd: ROOT,
        env: { ...process.env, PORT: '0', EMULATOR_PORT: String(port), BIOMETRIC_API_KEY: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout!.on('data', (chunk: Buffer) => (text += chunk));
      child.stderr!.on('data', (chunk: Buffer) => (text += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      const [code] = await once(child, 'exit');
      clearTimeout(timer);
      assert.equal(code, 1, text);
      assert.ok(text.includes(`EMULATOR_PORT=${port} is in use by another program`), text);
      assert.ok(text.includes('leave EMULATOR_PORT unset'), text);
      assert.equal(text.includes('biometric-flow demo: open'), false, text);
    } finally {
      taken.close();
    }
  });

  it('says so when BIOMETRIC_API_KEY is set, and talks to that vendor', async () => {
    const vendor = await startEmulator();
    try {
      const apiKey = vendor.flows[0]!.apiKey;
      const { child, output, url } = await run({ BIOMETRIC_API_KEY: apiKey, BIOMETRIC_API_BASE_URL: vendor.url });
      try {
        assert.match(output(), /BIOMETRIC_API_KEY is set: sessions are created by the real vendor/);
        assert.equal(output().includes(apiKey), false, 'the key is not printed');
        const answer = await fetch(new URL('/api/session', url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ context: { preset: 'default' } }),
        });
        assert.equal(answer.status, 200);
        assert.equal(vendor.sessions.list().length, 1);
      } finally {
        assert.equal(await stop(child), 0, output());
      }
    } finally {
      await vendor.close();
    }
  });
});
