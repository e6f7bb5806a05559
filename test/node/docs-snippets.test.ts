// The backend code of the README and docs/frameworks.md lives in docs/snippets/*.ts, and each fenced
// block is marked `<!-- snippet: docs/snippets/<name>.ts -->`. Here: the blocks equal the files, every
// backend block is one of them, the files type-check against the sources, and each one whose framework
// is installed runs as written against a fake vendor. The other code blocks of docs/frameworks.md (the
// front ends) are taken from the page as they are: type-checked, the React one rendered on the server,
// the Vue component compiled (the Angular one: test/node/angular.test.ts).
import assert from 'node:assert/strict';
import { execFile, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import React, { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { createServer as createViteServer } from 'vite';
import { compileScript, compileTemplate, parse as parseVue } from 'vue/compiler-sfc';
import type { Plugin, UserConfig, ViteDevServer } from 'vite';
import type { Api } from '@vitejs/plugin-vue';
import { API_KEY, SESSION_ID, TOKEN_SECRET, startFakeVendor } from '../server/fake-vendor.js';
import type { FakeVendor } from '../server/fake-vendor.js';
import { skipWithoutRedis, startRedis } from '../server/redis-server.js';
import type { RedisServer } from '../server/redis-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const snippetsDir = `${root}docs/snippets/`;
const harness = `${root}test/node/snippets/harness.ts`;
/** Where a snippet's hidden prelude (declarations of "your code") ends. */
const SHOWN_FROM = '// docs: shown from here\n';
const DOCS = ['README.md', 'docs/frameworks.md', 'docs/native.md'];
const VENDOR = 'https://kyc.biometric.kz';

register('./snippets/resolve-package.mjs', import.meta.url);

const snippetFiles = readdirSync(snippetsDir).filter((name) => name.endsWith('.ts')).sort();

/** What the docs show of a snippet file: all of it, or what follows its prelude. */
function shownPart(name: string): string {
  const text = readFileSync(`${snippetsDir}${name}`, 'utf8');
  const start = text.indexOf(SHOWN_FROM);
  return start === -1 ? text : text.slice(start + SHOWN_FROM.length);
}

interface Block {
  doc: string;
  line: number;
  lang: string;
  code: string;
  snippet: string | undefined;
  /** A file of an example app the block shows (`<!-- example: examples/<app>/<path> -->`). */
  example: string | undefined;
  section: string;
}

/** The fenced blocks of a Markdown file, with the snippet marker just above each (if any) and its `##` section. */
function blocksOf(doc: string): Block[] {
  const lines = readFileSync(`${root}${doc}`, 'utf8').split('\n');
  const blocks: Block[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('## ')) section = line.slice(3);
    const fence = /^```(\w*)$/.exec(line);
    if (!fence) continue;
    const end = lines.indexOf('```', i + 1);
    const marker = /^<!-- snippet: docs\/snippets\/([\w.-]+) -->$/.exec(lines[i - 1] ?? '');
    const example = /^<!-- example: (examples\/[\w./-]+) -->$/.exec(lines[i - 1] ?? '');
    blocks.push({ doc, line: i + 1, lang: fence[1]!, code: `${lines.slice(i + 1, end).join('\n')}\n`, snippet: marker?.[1], example: example?.[1], section });
    i = end;
  }
  return blocks;
}

const blocks = DOCS.flatMap(blocksOf);
/** Backend code: the README's Backend section and the Backends section of docs/frameworks.md. */
const backendBlocks = blocks.filter(
  (block) => ['ts', 'js'].includes(block.lang) && (block.doc === 'README.md' ? block.section === 'Backend' : block.section.startsWith('Backends')),
);

describe('the docs show the snippet files', () => {
  it('has a file for every marked block, with the same text', () => {
    const marked = blocks.filter((block) => block.snippet !== undefined);
    assert.ok(marked.length >= 8, `${marked.length} marked blocks`);
    for (const block of marked) {
      assert.ok(snippetFiles.includes(block.snippet!), `${block.doc}:${block.line} names docs/snippets/${block.snippet}, which exists`);
      assert.equal(block.code, shownPart(block.snippet!), `${block.doc}:${block.line} shows docs/snippets/${block.snippet} as it is`);
    }
  });

  it("shows the example apps' files as they are, where a block names one", () => {
    const shown = blocks.filter((block) => block.example !== undefined);
    // The Next.js recipe: its client component, the page that gives it the flow URL per request, its proxy.ts.
    assert.ok(shown.length >= 3, `${shown.length} example blocks`);
    for (const block of shown) {
      assert.equal(block.code, readFileSync(`${root}${block.example}`, 'utf8'), `${block.doc}:${block.line} shows ${block.example} as it is`);
    }
  });

  it('marks every backend code block, and shows every snippet file somewhere', () => {
    assert.ok(backendBlocks.length >= 8, `${backendBlocks.length} backend blocks`);
    // An example app's file is type-checked by that app's build (test/examples) and compared above.
    const unmarked = backendBlocks.filter((block) => block.snippet === undefined && block.example === undefined).map((block) => `${block.doc}:${block.line}`);
    assert.deepEqual(unmarked, [], 'every backend block comes from docs/snippets/ or an example app');
    const shown = new Set(blocks.map((block) => block.snippet));
    assert.deepEqual(snippetFiles.filter((name) => !shown.has(name)), [], 'no snippet file is left out of the docs');
  });

  it('type-checks every snippet against the sources', async () => {
    const tsc = `${root}node_modules/.bin/tsc`;
    const result = await promisify(execFile)(tsc, ['-p', `${snippetsDir}tsconfig.json`], { cwd: root, timeout: 60_000 }).catch(
      (error: { stdout: string }) => error,
    );
    assert.equal(result.stdout.trim(), '');
  });
});

/** What the front-end examples call or read of the host's own code: only types are needed. */
const HOST_DECLARATIONS = `declare function showOutcome(outcome: 'passed' | 'failed' | 'unconfirmed'): void;
declare const orderId: string;
`;
/** Front-end blocks of docs/frameworks.md: every ts/tsx one outside the Backends and Angular sections. */
const frontendBlocks = blocks.filter(
  (block) =>
    block.doc === 'docs/frameworks.md' &&
    block.snippet === undefined &&
    // An example app's file is type-checked by that app's build (test/examples).
    block.example === undefined &&
    ['ts', 'tsx'].includes(block.lang) &&
    !block.section.startsWith('Angular'),
);
const fileOf = (block: Block) => `block-${block.line}.${block.lang}`;

describe('the front-end code of docs/frameworks.md', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'biometric-flow-docs-'));
    symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');
    writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(join(work, 'host.d.ts'), HOST_DECLARATIONS);
    for (const block of frontendBlocks) writeFileSync(join(work, fileOf(block)), block.code);
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({ extends: `${snippetsDir}tsconfig.json`, include: ['*.ts', '*.tsx'], compilerOptions: { noUnusedLocals: false } }),
    );
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('type-checks every React and Vite block as written', async () => {
    assert.deepEqual(
      frontendBlocks.map((block) => `${block.section.split(':')[0]} ${block.lang}`),
      ['React tsx', 'React 19 without server rendering tsx', 'Vue 3 ts'],
      'a new front-end block is type-checked here too; one that needs more than HOST_DECLARATIONS fails until it gets them',
    );
    const tsc = `${root}node_modules/.bin/tsc`;
    const result = await promisify(execFile)(tsc, ['-p', join(work, 'tsconfig.json')], { cwd: work, timeout: 60_000 }).catch(
      (error: { stdout: string }) => error,
    );
    assert.equal(result.stdout.trim(), '');
  });

  it('renders the React example on the server, as a framework that renders first does', async () => {
    const block = frontendBlocks.find((candidate) => candidate.section.startsWith('React:'))!;
    // tsx compiles JSX with this project's tsconfig (classic runtime: `React.createElement`), where an app
    // would use the automatic one; both make the same elements.
    Object.assign(globalThis, { React, showOutcome: () => undefined });
    const module = (await import(pathToFileURL(join(work, fileOf(block))).href)) as Record<string, (props: { orderId: string }) => unknown>;
    const [component] = Object.values(module);
    const html = renderToString(createElement(component as never, { orderId: '42' }));
    // @lit/react sets the element's properties (sessionEndpoint, mode...) once it runs in the browser, so
    // the server's HTML holds the bare tag; what matters here is that rendering it there works.
    assert.match(html, /^<biometric-flow[\s>]/);
  });

  it('compiles the Vue example with the setting of its vite.config.ts, the tag left to the browser', async () => {
    const [vue] = blocks.filter((block) => block.doc === 'docs/frameworks.md' && block.lang === 'vue');
    assert.ok(vue, 'docs/frameworks.md has a Vue component');
    const config = frontendBlocks.find((block) => block.section.startsWith('Vue') && block.lang === 'ts')!;
    const { default: viteConfig } = (await import(pathToFileURL(join(work, fileOf(config))).href)) as { default: { plugins: Plugin<Api>[] } };
    const compilerOptions = viteConfig.plugins[0]!.api!.options.template!.compilerOptions!;
    const { descriptor, errors } = parseVue(vue.code, { filename: 'Verify.vue' });
    assert.deepEqual(errors, []);
    compileScript(descriptor, { id: 'verify' });
    const template = compileTemplate({ source: descriptor.template!.content, filename: 'Verify.vue', id: 'verify', compilerOptions });
    assert.deepEqual(template.errors, []);
    assert.match(template.code, /"biometric-flow"/);
    assert.doesNotMatch(template.code, /resolveComponent\("biometric-flow"\)/, 'not taken for a Vue component');
  });
});

let vendor: FakeVendor;
before(async () => {
  vendor = await startFakeVendor();
  vendor.behave((request) =>
    request.url.pathname.includes('/result/')
      ? { json: { status: 'FINISHED', flow_session_result: true } }
      : { json: { session_id: SESSION_ID, technologies: ['LDHP'] } },
  );
});
after(() => vendor.close());

const ENVIRONMENT = { BIOMETRIC_API_KEY: API_KEY, BIOMETRIC_TOKEN_SECRET: TOKEN_SECRET };

/** A snippet run as its own program through the harness; resolves once it listens. */
async function runSnippet(name: string, environment: Record<string, string> = {}, cwd = root): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(`${snippetsDir}${name}`, {
    cwd,
    execArgv: ['--import', 'tsx', '--import', harness],
    env: { ...process.env, ...ENVIRONMENT, FAKE_VENDOR_URL: vendor.url, ...environment },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not listen within 20 s: ${output}`)), 20_000);
    child.on('message', (message: { listening?: string }) => {
      if (message.listening === undefined) return;
      clearTimeout(timer);
      resolve(message.listening);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}): ${output}`));
    });
  });
  return { url, child };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}

/** A session, then its status with the token, through `base`, as the element would from `origin`. */
async function sessionAndStatus(base: string, origin: string): Promise<void> {
  const created = await fetch(`${base}/api/biometric/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin },
    body: JSON.stringify({ locale: 'en' }),
  });
  assert.equal(created.status, 200, await created.clone().text());
  const { session_id: sessionId, status_token: token } = (await created.json()) as { session_id: string; status_token: string };
  assert.equal(sessionId, SESSION_ID);
  const status = await fetch(`${base}/api/biometric/status?session_id=${sessionId}`, { headers: { Origin: origin, 'Biometric-Status-Token': token } });
  assert.equal(status.status, 200, await status.clone().text());
  assert.equal(((await status.json()) as { status: string }).status, 'FINISHED');
}

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('the backend snippets run as written', { timeout: 60_000 }, () => {
  it('Hono on Node (hono-node.ts): session and status, the preflight through app.all, a foreign origin refused', async () => {
    const { url, child } = await runSnippet('hono-node.ts', { BIOMETRIC_ALLOWED_ORIGINS: 'https://shop.example' });
    try {
      vendor.requests.length = 0;
      await sessionAndStatus(url, 'https://shop.example');
      assert.equal(vendor.requests.length, 2, 'the vendor was asked (through the harness) for the session and its result');
      const preflight = await fetch(`${url}/api/biometric/session`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
      const foreign = await fetch(`${url}/api/biometric/session`, { method: 'POST', headers: { Origin: 'https://evil.example' }, body: '{}' });
      assert.equal(foreign.status, 403);
    } finally {
      await stop(child);
    }
  });

  it('the Vite proxy setting (vite-proxy.ts) keeps the origin check passing, where the shorthand is refused', async () => {
    const backend = await runSnippet('hono-node.ts');
    const servers: ViteDevServer[] = [];
    const viteWith = async (config: UserConfig) => {
      const server = await createViteServer({
        ...config,
        configFile: false,
        root: `${root}docs/snippets`,
        logLevel: 'silent',
        // Nothing to pre-bundle: the proxy is all that is used.
        optimizeDeps: { noDiscovery: true, include: [] },
        server: { ...config.server, host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
      });
      servers.push(server);
      await server.listen();
      return server.resolvedUrls!.local[0]!.replace(/\/$/, '');
    };
    try {
      const { default: config } = (await import('../../docs/snippets/vite-proxy.js')) as { default: UserConfig };
      const proxy = config.server!.proxy!['/api'] as { target: string; changeOrigin: boolean };
      assert.equal(proxy.changeOrigin, false);
      const page = await viteWith({ server: { proxy: { '/api': { ...proxy, target: backend.url } } } });
      await sessionAndStatus(page, page);
      const shorthand = await viteWith({ server: { proxy: { '/api': backend.url } } });
      const refused = await fetch(`${shorthand}/api/biometric/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: shorthand },
        body: '{}',
      });
      assert.equal(refused.status, 403, 'the shorthand rewrites Host, as the docs say');
    } finally {
      await Promise.all(servers.map((server) => server.close()));
      await stop(backend.child);
    }
  });

  it('the handoff (handoff.ts): a session, its link, the phone page naming the site and the code, the 303 to the flow, once', async () => {
    const { url, child } = await runSnippet('handoff.ts');
    try {
      const origin = url;
      const created = await fetch(`${url}/api/biometric/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: origin },
        body: JSON.stringify({ locale: 'en' }),
      });
      const { session_id: sessionId, status_token: token } = (await created.json()) as { session_id: string; status_token: string };
      const made = await fetch(`${url}/api/biometric/handoff`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: origin, 'Biometric-Status-Token': token },
        body: JSON.stringify({ session_id: sessionId }),
      });
      assert.equal(made.status, 200, await made.clone().text());
      const link = (await made.json()) as { url: string; code: string; expires_at: string };
      const page = await (await fetch(link.url, { headers: { 'Accept-Language': 'en' } })).text();
      assert.ok(page.includes(`Shop (${origin})`) && page.includes(link.code), page);
      const confirm = () => fetch(link.url, { method: 'POST', headers: { Origin: origin, 'Accept-Language': 'en' }, redirect: 'manual' });
      const first = await confirm();
      assert.equal(first.status, 303);
      assert.equal(first.headers.get('location'), `https://remote.biometric.kz/flow/${sessionId}?locale=en`);
      assert.equal((await confirm()).status, 410, 'a link works once');
    } finally {
      await stop(child);
    }
  });

  it('the emulator (emulator.ts) starts and answers as the vendor does', async () => {
    const { url, child } = await runSnippet('emulator.ts');
    try {
      const refused = await fetch(`${url}/api/v1/flows/session/create/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ api_key: 'not a key of this run' }),
      });
      assert.ok(refused.status >= 400 && refused.status < 500, `the emulator refuses an unknown key: ${refused.status}`);
    } finally {
      await stop(child);
    }
  });

  describe('in this process, with the vendor calls sent to the fake vendor', () => {
    const realFetch = globalThis.fetch;
    const saved = new Map<string, string | undefined>();
    const setEnvironment = (values: Record<string, string | undefined>) => {
      for (const [name, value] of Object.entries(values)) {
        if (!saved.has(name)) saved.set(name, process.env[name]);
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    };
    before(() => {
      globalThis.fetch = (input, init) => {
        const url = typeof input === 'string' || input instanceof URL ? String(input) : undefined;
        return realFetch(url?.startsWith(`${VENDOR}/`) ? vendor.url + url.slice(VENDOR.length) : input, init);
      };
    });
    after(() => {
      globalThis.fetch = realFetch;
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    type RouteModule = Record<string, (request: Request) => Promise<Response>>;
    /** A fresh instance of a route module, made under the environment as it is now (as a server start would). */
    const loadRoute = async (name: string, instance: string) =>
      (await import(`../../docs/snippets/${name}?${instance}`)) as RouteModule;

    it('Next.js route handlers load without the key (next build), then answer 500 configuration-error', async () => {
      setEnvironment({ BIOMETRIC_API_KEY: undefined, BIOMETRIC_TOKEN_SECRET: undefined, BIOMETRIC_ALLOWED_ORIGINS: undefined });
      const session = await loadRoute('next-session-route.js', 'build');
      const status = await loadRoute('next-status-route.js', 'build');
      const answer = await session.POST!(new Request('http://localhost:3000/api/biometric/session', { method: 'POST', body: '{}' }));
      assert.equal(answer.status, 500);
      assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'configuration-error');
      assert.equal((await status.GET!(new Request(`http://localhost:3000/api/biometric/status?session_id=${SESSION_ID}`))).status, 500);
    });

    it('Next.js route handlers, with request.url on localhost as next dev and next start report it: the listed origin passes, a forged localhost Origin does not', async () => {
      setEnvironment({ ...ENVIRONMENT, BIOMETRIC_ALLOWED_ORIGINS: 'https://shop.example' });
      const session = await loadRoute('next-session-route.js', 'start');
      const status = await loadRoute('next-status-route.js', 'start');
      const endpoint = 'http://localhost:3000/api/biometric/session';
      const post = (origin: string) =>
        session.POST!(new Request(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin }, body: '{}' }));
      const created = await post('https://shop.example');
      assert.equal(created.status, 200);
      const { status_token: token } = (await created.json()) as { status_token: string };
      assert.equal((await post('http://localhost:3000')).status, 403, 'a forged Origin matching request.url');
      const read = await status.GET!(
        new Request(`http://localhost:3000/api/biometric/status?session_id=${SESSION_ID}`, {
          headers: { Origin: 'https://shop.example', 'Biometric-Status-Token': token },
        }),
      );
      assert.equal(read.status, 200);
      const preflight = await session.OPTIONS!(
        new Request(endpoint, { method: 'OPTIONS', headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' } }),
      );
      assert.equal(preflight.status, 204, 'OPTIONS is exported for the preflight');
    });

    it('Hono on Workers (hono-workers.ts): handlers made from the bindings on the first request', async () => {
      setEnvironment({ BIOMETRIC_API_KEY: undefined, BIOMETRIC_TOKEN_SECRET: undefined, BIOMETRIC_ALLOWED_ORIGINS: undefined });
      // A computed specifier: the project's typecheck must not follow it into the snippet, which imports
      // `biometric-flow/server` as a host would (dist/, built by then) and is checked with its own tsconfig.
      const snippet = '../../docs/snippets/hono-workers.js';
      const { default: app } = (await import(snippet)) as {
        default: { fetch(request: Request, env: Record<string, string>): Promise<Response> };
      };
      const worker = { fetch: (request: Request) => app.fetch(request, ENVIRONMENT) };
      const created = await worker.fetch(
        new Request('https://shop.example/api/biometric/session', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: 'https://shop.example' },
          body: '{}',
        }),
      );
      assert.equal(created.status, 200);
      const { status_token: token } = (await created.json()) as { status_token: string };
      const read = await worker.fetch(
        new Request(`https://shop.example/api/biometric/status?session_id=${SESSION_ID}`, { headers: { 'Biometric-Status-Token': token } }),
      );
      assert.equal(read.status, 200);
    });
  });

  for (const framework of ['express', 'fastify']) {
    it(`${framework}.ts: session and status, run as written`, async () => {
      assert.ok(installed(framework), `${framework} is a devDependency: run npm install`);
      const { url, child } = await runSnippet(`${framework}.ts`);
      try {
        await sessionAndStatus(url, url);
      } finally {
        await stop(child);
      }
    });
  }

  describe('the verdict ledger (verdicts-express.ts), on a real redis-server', { skip: skipWithoutRedis }, () => {
    let redis: RedisServer;
    before(async () => {
      redis = await startRedis();
    });
    after(() => redis?.stop());

    it("records alice's session for alice, refuses it to bob's account, and delivers alice's verdict once", async () => {
      const { url, child } = await runSnippet('verdicts-express.ts', { REDIS_URL: redis.url, BIOMETRIC_WEBHOOK_TOKEN: 'webhook-token-'.padEnd(40, 'w') });
      const verdicts: { userId: string; sessionId: string; outcome: string }[] = [];
      child.on('message', (message: { verdict?: { userId: string; sessionId: string; outcome: string } }) => {
        if (message.verdict) verdicts.push(message.verdict);
      });
      try {
        const as = (user: string | undefined) => ({ Origin: url, ...(user === undefined ? {} : { Cookie: `user=${user}` }) });
        const post = (user: string | undefined) =>
          fetch(`${url}/api/biometric/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...as(user) }, body: '{}' });
        assert.equal((await post(undefined)).status, 403, 'nobody signed in: no session');
        const created = await post('alice');
        assert.equal(created.status, 200, await created.clone().text());
        const { session_id: sessionId, status_token: token } = (await created.json()) as { session_id: string; status_token: string };
        const status = (user: string) =>
          fetch(`${url}/api/biometric/status?session_id=${sessionId}`, { headers: { ...as(user), 'Biometric-Status-Token': token } });
        assert.equal((await status('bob')).status, 403, "bob's account with alice's token");
        assert.equal((await status('alice')).status, 200);
        const deadline = Date.now() + 5000;
        while (verdicts.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        await status('alice');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(verdicts, [{ userId: 'alice', sessionId, outcome: 'passed', reasons: [] }]);
      } finally {
        await stop(child);
      }
    });
  });

  describe("the page's headers (headers-*.ts): securityHeaders() where each framework takes them", () => {
    const FLOW = 'http://127.0.0.1:8790';
    /** What the page must get, for the emulator's flow-base-url. */
    const expected = async () => {
      const { securityHeaders } = await import('../../src/server/index.js');
      return securityHeaders({ flowBaseUrl: FLOW });
    };
    const assertHeaders = async (headers: Headers, where: string) => {
      const wanted = await expected();
      assert.ok(Object.keys(wanted).length >= 2);
      for (const [name, value] of Object.entries(wanted)) assert.equal(headers.get(name), value, `${where}: ${name}`);
    };

    it('Express (headers-express.ts): the pages of express.static', async () => {
      // A folder of its own with public/, as an app has; node_modules for tsx.
      const app = mkdtempSync(join(tmpdir(), 'biometric-flow-headers-'));
      symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
      mkdirSync(join(app, 'public'));
      writeFileSync(join(app, 'public', 'index.html'), '<!doctype html><biometric-flow></biometric-flow>');
      const { url, child } = await runSnippet('headers-express.ts', { BIOMETRIC_FLOW_BASE_URL: FLOW }, app);
      try {
        const page = await fetch(`${url}/`);
        assert.equal(page.status, 200);
        await assertHeaders(page.headers, 'express');
      } finally {
        await stop(child);
        rmSync(app, { recursive: true, force: true });
      }
    });

    for (const name of ['headers-fastify.ts', 'headers-hono.ts']) {
      it(`${name}: on every answer`, async () => {
        const { url, child } = await runSnippet(name, { BIOMETRIC_FLOW_BASE_URL: FLOW });
        try {
          // No route in the snippet: even the 404 carries them, and so does any page served.
          await assertHeaders((await fetch(`${url}/verify`)).headers, name);
        } finally {
          await stop(child);
        }
      });
    }

    it('Next.js (headers-next.ts): headers() gives them for every path', async () => {
      const previous = process.env.NEXT_PUBLIC_BIOMETRIC_FLOW_BASE_URL;
      process.env.NEXT_PUBLIC_BIOMETRIC_FLOW_BASE_URL = FLOW;
      try {
        // Computed, as for hono-workers.ts: the snippet imports `biometric-flow/server` (dist/), which the
        // project's typecheck on a fresh clone, before any build, cannot resolve.
        const snippet = '../../docs/snippets/headers-next.js';
        const { default: config } = (await import(snippet)) as {
          default: { headers(): Promise<{ source: string; headers: { key: string; value: string }[] }[]> };
        };
        const [rule, ...rest] = await config.headers();
        assert.equal(rest.length, 0);
        assert.equal(rule!.source, '/:path*');
        await assertHeaders(new Headers(rule!.headers.map(({ key, value }) => [key, value] as [string, string])), 'next');
      } finally {
        if (previous === undefined) delete process.env.NEXT_PUBLIC_BIOMETRIC_FLOW_BASE_URL;
        else process.env.NEXT_PUBLIC_BIOMETRIC_FLOW_BASE_URL = previous;
      }
    });

    it("Vite (headers-vite.ts): the dev server's pages", async () => {
      const previous = process.env.VITE_BIOMETRIC_FLOW_BASE_URL;
      process.env.VITE_BIOMETRIC_FLOW_BASE_URL = FLOW;
      const app = mkdtempSync(join(tmpdir(), 'biometric-flow-headers-'));
      writeFileSync(join(app, 'index.html'), '<!doctype html><biometric-flow></biometric-flow>');
      let server: ViteDevServer | undefined;
      try {
        // A query of its own: the module reads the environment when it is first imported.
        const { default: config } = (await import(`../../docs/snippets/headers-vite.js?flow=${encodeURIComponent(FLOW)}`)) as { default: UserConfig };
        assert.deepEqual(config.preview!.headers, config.server!.headers, '`vite preview` gets the same');
        server = await createViteServer({
          ...config,
          configFile: false,
          root: app,
          logLevel: 'silent',
          optimizeDeps: { noDiscovery: true, include: [] },
          server: { ...config.server, host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
        });
        await server.listen();
        const page = await fetch(server.resolvedUrls!.local[0]!);
        assert.equal(page.status, 200);
        await assertHeaders(page.headers, 'vite');
      } finally {
        await server?.close();
        rmSync(app, { recursive: true, force: true });
        if (previous === undefined) delete process.env.VITE_BIOMETRIC_FLOW_BASE_URL;
        else process.env.VITE_BIOMETRIC_FLOW_BASE_URL = previous;
      }
    });
  });
});
