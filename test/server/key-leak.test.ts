import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSession, createSessionHandler, createStatusHandler, getSessionResult } from '../../src/server/index.js';
import type { SessionMetadata } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, deadUrl, startFakeVendor, tokenHeader } from './fake-vendor.js';
import type { FakeVendor, VendorBehaviour } from './fake-vendor.js';

/** Every form the key could take on the way out: raw, percent-encoded, form-encoded. */
const KEY_FORMS = [API_KEY, encodeURIComponent(API_KEY), new URLSearchParams({ k: API_KEY }).toString().slice(2)];

function assertNoKey(where: string, text: string) {
  for (const form of KEY_FORMS) assert.ok(!text.includes(form), `${where} contains the API key: ${text.slice(0, 300)}`);
}

/** Vendor misbehaviours, several of which echo the key back. */
const vendorFaults: Record<string, VendorBehaviour> = {
  timeout: 'hang',
  'connection dropped': 'drop',
  'HTML 500 echoing the key': { status: 500, contentType: 'text/html', text: `<pre>KeyError: ${API_KEY}</pre>` },
  '401 JSON echoing the key': { status: 401, json: { detail: `Invalid api_key ${API_KEY}` } },
  '404 echoing the key': { status: 404, json: { detail: `No session for ${API_KEY}` } },
  '302 to a URL with the key': { status: 302, text: '', contentType: `text/plain; x=${API_KEY}` },
  'invalid JSON echoing the key': { text: `{"api_key":"${API_KEY}"` },
  'key as session_id': { json: { session_id: API_KEY, technologies: [API_KEY], status: 7 } },
  'HTML 200 echoing the key': { contentType: 'text/html', text: `<p>${API_KEY}</p>` },
};

/** Injected fetches that fail the way runtimes do, with the URL (and so the key) in the error chain. */
const fetchFaults: Record<string, typeof globalThis.fetch> = {
  'fetch throws with the URL': async (input) => {
    throw new TypeError(`fetch failed: ${String(input)}`, { cause: new Error(`connect ECONNREFUSED ${String(input)}`) });
  },
  'fetch throws a non-Error': async (input) => {
    throw `refused ${decodeURIComponent(String(input))}`;
  },
  'body stream fails with the key': async () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"session_id"'));
          controller.error(new Error(`socket hang up while sending ${API_KEY}`));
        },
      }),
      { status: 200 },
    ),
};

const callbackFaults: Record<string, () => SessionMetadata | undefined> = {
  'callback throws the key': () => {
    throw new Error(`config: ${API_KEY}`);
  },
  'callback returns the key as an IIN': () => ({ edocument: { iin: { value: API_KEY } } }),
};

let vendor: FakeVendor;
before(async () => {
  vendor = await startFakeVendor();
});
after(() => vendor.close());

async function collect(response: Response): Promise<string> {
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  return `${response.status}\n${headers}\n${await response.text()}`;
}

describe('the API key never leaks', () => {
  it('from either handler, for every vendor, fetch, callback and request fault', async () => {
    const outputs: string[] = [];
    const logger = capturingLogger();
    const dead = await deadUrl();
    const post = (body = '{}', headers: Record<string, string> = {}) =>
      new Request('https://shop.example/session', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    const status = new Request(`https://shop.example/status?session_id=${SESSION_ID}`, { headers: await tokenHeader() });
    // A generous timeout, so that a slow machine never turns a fault into a timeout; the one timeout case
    // ('hang': no answer at all) gets a short one of its own.
    const common = { apiKey: API_KEY, apiBaseUrl: vendor.url, timeoutMs: 10_000, logger, tokenSecret: TOKEN_SECRET };

    const run = async (name: string, response: Promise<Response>, expected: number) => {
      const output = await collect(await response);
      assert.equal(Number(output.split('\n')[0]), expected, `${name}: ${output}`);
      outputs.push(`${name}\n${output}`);
    };

    for (const [name, behaviour] of Object.entries(vendorFaults)) {
      vendor.behave(behaviour);
      const expected = behaviour === 'hang' ? 504 : 502;
      const options = behaviour === 'hang' ? { ...common, timeoutMs: 100 } : common;
      await run(`session: ${name}`, createSessionHandler(options)(post()), expected);
      await run(`status: ${name}`, createStatusHandler(options)(status), name.startsWith('404') ? 404 : expected);
    }
    await run('session: vendor down', createSessionHandler({ ...common, apiBaseUrl: dead })(post()), 502);
    await run('status: vendor down', createStatusHandler({ ...common, apiBaseUrl: dead })(status), 502);
    for (const [name, fetch] of Object.entries(fetchFaults)) {
      await run(`session: ${name}`, createSessionHandler({ ...common, fetch })(post()), 502);
      await run(`status: ${name}`, createStatusHandler({ ...common, fetch })(status), 502);
    }
    vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LD'] } });
    for (const [name, metadata] of Object.entries(callbackFaults)) {
      await run(`session: ${name}`, createSessionHandler({ ...common, metadata })(post()), 500);
    }
    const handle = createSessionHandler({ ...common, maxBodyBytes: 64 });
    await run('405', handle(new Request('https://shop.example/session')), 405);
    await run('403', handle(post('{}', { Origin: 'https://evil.example' })), 403);
    await run('415', handle(post('{}', { 'Content-Type': 'text/plain' })), 415);
    await run('413', handle(post(JSON.stringify({ context: API_KEY + API_KEY }))), 413);
    await run('400 echoing the key as locale', handle(post(JSON.stringify({ locale: API_KEY.slice(0, 40) }))), 400);

    assert.ok(outputs.length >= 30, `ran ${outputs.length} scenarios`);
    for (const output of outputs) assertNoKey('an answer', output);
    assert.ok(logger.lines.length >= 20, `logged ${logger.lines.length} lines`);
    for (const line of logger.lines) assertNoKey('a log line', line);
    // The vendor really was asked with the key, so its absence above means something.
    assert.ok(vendor.requests.some((request) => request.url.searchParams.get('flow_api_key') === API_KEY));
  });

  it('from the errors createSession and getSessionResult throw, cause chain included', async () => {
    const errors: unknown[] = [];
    const dead = await deadUrl();
    for (const fetch of Object.values(fetchFaults)) {
      await createSession({ apiKey: API_KEY, apiBaseUrl: vendor.url, fetch }).catch((error: unknown) => errors.push(error));
      await getSessionResult({ apiKey: API_KEY, apiBaseUrl: vendor.url, fetch }, SESSION_ID).catch((error: unknown) => errors.push(error));
    }
    await getSessionResult({ apiKey: API_KEY, apiBaseUrl: dead }, SESSION_ID).catch((error: unknown) => errors.push(error));
    vendor.behave({ status: 500, text: API_KEY });
    await getSessionResult({ apiKey: API_KEY, apiBaseUrl: vendor.url }, SESSION_ID).catch((error: unknown) => errors.push(error));
    await createSession({ apiKey: API_KEY, apiBaseUrl: vendor.url }, { edocument: { iin: { value: API_KEY } } }).catch((error: unknown) =>
      errors.push(error),
    );

    assert.equal(errors.length, 9);
    for (const error of errors) {
      assert.ok(error instanceof Error);
      let text = `${error.stack} ${JSON.stringify(error)} ${Object.values(error).map(String).join(' ')}`;
      for (let cause = error.cause; cause !== undefined; cause = (cause as Error).cause) {
        text += ` ${cause instanceof Error ? `${cause.stack} ${cause.message}` : String(cause)}`;
      }
      assertNoKey(`${error.name} ${(error as { code?: string }).code}`, text);
    }
  });
});
