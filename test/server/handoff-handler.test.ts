import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHandoffHandler, createMemoryStore, HANDOFF_LINK_PARAMETER } from '../../src/server/index.js';
import type { FlowStore, HandoffHandlerOptions, HandoffLink } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, startFakeVendor, tokenHeader } from './fake-vendor.js';
import type { FakeVendor } from './fake-vendor.js';

const ENDPOINT = 'https://shop.example/api/handoff';
const SITE = 'https://shop.example';
const OTHER_SESSION = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

let token: Record<string, string>;
before(async () => {
  token = await tokenHeader();
});

function handler(options: Partial<HandoffHandlerOptions> = {}) {
  return createHandoffHandler({
    tokenSecret: TOKEN_SECRET,
    flowBaseUrl: 'https://flow.example',
    logger: capturingLogger(),
    ...options,
  });
}

const post = (body: unknown, headers: Record<string, string> = token, origin: string | null = SITE) =>
  new Request(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}), ...headers },
    body: JSON.stringify(body),
  });

async function makeLink(handle: (request: Request) => Promise<Response>, body: unknown = { session_id: SESSION_ID }): Promise<HandoffLink> {
  const response = await handle(post(body));
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as HandoffLink;
}

const open = (url: string, init: RequestInit = {}) => new Request(url, init);
const confirm = (url: string, origin: string | null = new URL(url).origin) =>
  new Request(url, { method: 'POST', headers: origin ? { origin, 'content-type': 'application/x-www-form-urlencoded' } : {}, body: '' });

describe('createHandoffHandler: the link', () => {
  it('makes a single-use link to itself, a six-digit code and an expiry, with CORS for the page', async () => {
    const before = Date.now();
    const link = await makeLink(handler());
    const url = new URL(link.url);
    assert.equal(`${url.origin}${url.pathname}`, ENDPOINT);
    assert.match(url.searchParams.get(HANDOFF_LINK_PARAMETER) ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.match(link.code, /^\d{6}$/);
    const expires = Date.parse(link.expires_at);
    assert.ok(expires >= before + 599_000 && expires <= Date.now() + 600_000, link.expires_at);
  });

  it('gives a different link and code each time', async () => {
    const handle = handler();
    const a = await makeLink(handle);
    const b = await makeLink(handle);
    assert.notEqual(a.url, b.url);
  });

  it('refuses a missing, forged or other-session status token with 401', async () => {
    const handle = handler();
    const logger = capturingLogger();
    const logged = handler({ logger });
    assert.equal((await handle(post({ session_id: SESSION_ID }, {}))).status, 401);
    const other = await tokenHeader(OTHER_SESSION);
    const response = await logged(post({ session_id: SESSION_ID }, other));
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'status-token-invalid');
    assert.equal(logger.lines.join('\n').includes(other['Biometric-Status-Token']!), false, 'the token is never logged');
    assert.equal((await handle(post({ session_id: SESSION_ID }, { 'Biometric-Status-Token': 'v1.9999999999.' + 'A'.repeat(43) }))).status, 401);
  });

  it('refuses a body without a UUID session_id with 400', async () => {
    const handle = handler();
    const response = await handle(post({ session: SESSION_ID }));
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'invalid-session-id');
    assert.equal((await handle(post({ session_id: 'nope' }))).status, 400);
    const broken = new Request(ENDPOINT, { method: 'POST', headers: { origin: SITE, ...token }, body: '{' });
    assert.equal((await handle(broken)).status, 400);
  });

  it('checks the Origin as the other handlers do: own origin by default, allowedOrigins when given, preflight', async () => {
    const foreign = await handler()(post({ session_id: SESSION_ID }, token, 'https://evil.example'));
    assert.equal(foreign.status, 403);
    assert.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'forbidden-origin');

    const listed = handler({ allowedOrigins: ['https://app.example'] });
    const cross = await listed(post({ session_id: SESSION_ID }, token, 'https://app.example'));
    assert.equal(cross.status, 200);
    assert.equal(cross.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal((await listed(post({ session_id: SESSION_ID }, token, SITE))).status, 403, 'the list is the whole list');

    const preflight = await listed(
      new Request(ENDPOINT, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, biometric-status-token' },
      }),
    );
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  it('answers 500 configuration-error for a short secret or a plain-http flow base, with one log line', async () => {
    const logger = capturingLogger();
    const handle = handler({ tokenSecret: 'short', logger });
    assert.equal((await handle(post({ session_id: SESSION_ID }))).status, 500);
    assert.equal((await handle(post({ session_id: SESSION_ID }))).status, 500);
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0]!, /tokenSecret/);
    const insecure = handler({ flowBaseUrl: 'http://flow.example', logger: capturingLogger() });
    assert.equal((await insecure(post({ session_id: SESSION_ID }))).status, 500);
    assert.throws(() => createHandoffHandler({ ttlSeconds: 0 }), TypeError);
  });
});

describe('createHandoffHandler: the phone', () => {
  it('shows a page in the phone language naming the site and the code, with a confirm form', async () => {
    const handle = handler({ siteName: 'Shop' });
    const link = await makeLink(handle);
    const response = await handle(open(link.url, { headers: { 'accept-language': 'kk-KZ,ru;q=0.8' } }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('referrer-policy'), 'same-origin');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    const html = await response.text();
    assert.match(html, /<html lang="kk">/);
    assert.ok(html.includes('Shop (https://shop.example)'), 'names the site');
    assert.ok(html.includes(`>${link.code}<`), 'shows the code');
    assert.match(html, /<form method="post"/);
    assert.ok(html.includes('сайты осы телефонда'), 'Kazakh text');

    const english = await (await handle(open(`${link.url}&lang=en`, { headers: { 'accept-language': 'ru' } }))).text();
    assert.match(english, /<html lang="en">/);
    assert.ok(english.includes('asks you to verify your identity'));
  });

  it('names the site of the page that asked, for a link opened from another site', async () => {
    const handle = handler({ allowedOrigins: ['https://other-site.example'] });
    const response = await handle(post({ session_id: SESSION_ID }, token, 'https://other-site.example'));
    const link = (await response.json()) as HandoffLink;
    const html = await (await handle(open(link.url, { headers: { 'accept-language': 'en' } }))).text();
    assert.ok(html.includes('https://other-site.example'));
    assert.ok(html.includes(link.code));
  });

  it('confirming sends the phone to the flow with 303, once: a used link shows the used page', async () => {
    const handle = handler();
    const link = await makeLink(handle, { session_id: SESSION_ID, locale: 'kk' });
    // Opening does not use the link up.
    assert.equal((await handle(open(link.url))).status, 200);
    assert.equal((await handle(open(link.url))).status, 200);
    const first = await handle(confirm(link.url));
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), `https://flow.example/flow/${SESSION_ID}?locale=kz`);
    assert.equal(first.headers.get('referrer-policy'), 'no-referrer');

    const again = await handle(confirm(link.url));
    assert.equal(again.status, 410);
    assert.match(await again.text(), /data-kind="used"/);
    const reopened = await handle(open(link.url, { headers: { 'accept-language': 'en' } }));
    assert.equal(reopened.status, 410);
    const html = await reopened.text();
    assert.match(html, /data-kind="used"/);
    assert.ok(html.includes('already used'));
  });

  it('tells the element, with the status token, whether the phone went on with the current link', async () => {
    const handle = handler();
    const ask = (headers: Record<string, string> = token, id = SESSION_ID) =>
      handle(new Request(`${ENDPOINT}?session_id=${id}`, { headers: { origin: SITE, ...headers } }));
    assert.deepEqual(await (await ask()).json(), { opened: false }, 'no link yet');
    const link = await makeLink(handle);
    assert.deepEqual(await (await ask()).json(), { opened: false });
    await handle(open(link.url));
    assert.deepEqual(await (await ask()).json(), { opened: false }, 'the confirm page shown, not confirmed');
    assert.equal((await handle(confirm(link.url))).status, 303);
    const answer = await ask();
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { opened: true });
    // A new code is a new link, not opened yet.
    await makeLink(handle);
    assert.deepEqual(await (await ask()).json(), { opened: false });
    assert.equal((await ask({})).status, 401);
    assert.equal((await ask(token, OTHER_SESSION)).status, 401);
    assert.equal((await ask(token, 'not-a-uuid')).status, 400);
  });

  it('uses the link once across instances that share a store', async () => {
    const store = createMemoryStore();
    const a = handler({ store });
    const b = handler({ store });
    const link = await makeLink(a);
    const answers = await Promise.all([a(confirm(link.url)), b(confirm(link.url)), b(confirm(link.url))]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [303, 410, 410]);
  });

  it('an expired link shows the expired page and cannot be confirmed', async () => {
    let now = Date.now();
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const store = createMemoryStore({ now: () => now });
      const handle = handler({ store, ttlSeconds: 60 });
      const link = await makeLink(handle);
      now += 61_000;
      const response = await handle(open(link.url, { headers: { 'accept-language': 'ru' } }));
      assert.equal(response.status, 410);
      const html = await response.text();
      assert.match(html, /data-kind="expired"/);
      assert.ok(html.includes('Срок действия ссылки истёк'));
      assert.equal((await handle(confirm(link.url))).status, 410);
    } finally {
      Date.now = realNow;
    }
  });

  it('a new code replaces the earlier link of the session', async () => {
    const handle = handler();
    const first = await makeLink(handle);
    const second = await makeLink(handle);
    const old = await handle(open(first.url));
    assert.equal(old.status, 410);
    assert.match(await old.text(), /data-kind="expired"/);
    assert.equal((await handle(open(second.url))).status, 200);
  });

  it('an unknown or malformed link shows the invalid page with 404', async () => {
    const handle = handler();
    const unknown = await handle(open(`${ENDPOINT}?${HANDOFF_LINK_PARAMETER}=${'A'.repeat(22)}`));
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /data-kind="invalid"/);
    assert.equal((await handle(open(`${ENDPOINT}?${HANDOFF_LINK_PARAMETER}=<script>`))).status, 404);
  });

  it('refuses a confirmation posted from another origin', async () => {
    const handle = handler();
    const link = await makeLink(handle);
    assert.equal((await handle(confirm(link.url, 'https://evil.example'))).status, 403);
    assert.equal((await handle(confirm(link.url))).status, 303, 'the link was not used up by the refused one');
  });

  it('points links at publicUrl when given', async () => {
    const link = await makeLink(handler({ publicUrl: 'https://public.example/h' }));
    assert.equal(new URL(link.url).origin + new URL(link.url).pathname, 'https://public.example/h');
  });

  it('escapes the site name', async () => {
    const handle = handler({ siteName: '<img src=x>' });
    const link = await makeLink(handle);
    const html = await (await handle(open(link.url))).text();
    assert.equal(html.includes('<img src=x>'), false);
    assert.ok(html.includes('&#60;img src=x&#62;'));
  });

  it('keeps working through a store that is not the memory one', async () => {
    const map = new Map<string, string>();
    const store: FlowStore = {
      async get(key) {
        return map.get(key);
      },
      async set(key, value) {
        map.set(key, value);
      },
      async add(key, value) {
        if (map.has(key)) return false;
        map.set(key, value);
        return true;
      },
      async increment() {
        return 1;
      },
      async delete(key) {
        map.delete(key);
      },
    };
    const handle = handler({ store });
    const link = await makeLink(handle);
    assert.equal((await handle(confirm(link.url))).status, 303);
    assert.equal((await handle(confirm(link.url))).status, 410);
  });
});

describe('createHandoffHandler: a used link, and the page for screen readers and fingers', () => {
  let vendor: FakeVendor;
  before(async () => {
    vendor = await startFakeVendor();
  });
  after(() => vendor?.close());

  /** A link of SESSION_ID, confirmed once: what the phone reopens. */
  async function usedLink(handle: (request: Request) => Promise<Response>): Promise<string> {
    const link = await makeLink(handle);
    assert.equal((await handle(confirm(link.url))).status, 303);
    return link.url;
  }
  const page = async (handle: (request: Request) => Promise<Response>, url: string, lang: string) => {
    const response = await handle(open(`${url}&lang=${lang}`));
    return { status: response.status, html: await response.text() };
  };

  it('never tells a used link to press "New code", which the computer no longer shows', async () => {
    const handle = handler();
    const url = await usedLink(handle);
    for (const [lang, newCode] of [['en', 'New code'], ['ru', 'Новый код'], ['kk', 'Жаңа код']] as const) {
      const { status, html } = await page(handle, url, lang);
      assert.equal(status, 410);
      assert.match(html, /data-kind="used"/);
      assert.ok(!html.includes(newCode), `${lang}: ${html}`);
    }
    assert.equal(vendor.requests.length, 0, 'without apiKey the vendor is not asked');
  });

  it('says the verification is finished when the vendor has a final status for the session, asking only on a used link', async () => {
    const handle = handler({ apiKey: API_KEY, apiBaseUrl: vendor.url });
    vendor.behave({ json: { status: 'FAILED', flow_session_result: false } });
    const fresh = await makeLink(handle);
    assert.equal((await handle(open(fresh.url))).status, 200);
    assert.equal(vendor.requests.length, 0, 'an unused link asks nothing');
    const url = await usedLink(handle);
    for (const [lang, title] of [['en', 'The verification is finished'], ['ru', 'Проверка завершена'], ['kk', 'Тексеру аяқталды']] as const) {
      const { status, html } = await page(handle, url, lang);
      assert.equal(status, 410);
      assert.match(html, /data-kind="finished"/);
      assert.ok(html.includes(`>${title}</h1>`), `${lang}: ${html}`);
    }
    const asked = vendor.requests.at(-1)!;
    assert.equal(asked.url.pathname, '/api/v1/flows/session/result/');
    assert.equal(asked.url.searchParams.get('session_id'), SESSION_ID);
  });

  it('keeps the used page while the session runs, or when the vendor cannot say, and logs no key', async () => {
    const logger = capturingLogger();
    const handle = handler({ apiKey: API_KEY, apiBaseUrl: vendor.url, logger });
    const url = await usedLink(handle);
    for (const behaviour of [{ json: { status: 'PROGRESS' } }, { json: {} }, { status: 500, text: 'oops' }]) {
      vendor.behave(behaviour);
      assert.match((await page(handle, url, 'en')).html, /data-kind="used"/, JSON.stringify(behaviour));
    }
    assert.ok(logger.lines.some((line) => line.includes('could not ask whether session')));
    assert.ok(!logger.lines.join('\n').includes(API_KEY));
  });

  it('puts the code and its label in one paragraph, with no aria-labelledby on a paragraph', async () => {
    const handle = handler();
    const link = await makeLink(handle);
    const html = await (await handle(open(`${link.url}&lang=en`))).text();
    assert.match(html, new RegExp(`<p class="code-line" id="handoff-code-line">Code: <span class="code" id="handoff-code">${link.code}</span></p>`));
    assert.doesNotMatch(html, /aria-labelledby/);
  });
});
