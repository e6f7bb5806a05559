// The handlers with the verdict ledger: sessions bound to a reference when made, status and handoff only
// for that reference, verdicts delivered once from a polling browser or a confirmed webhook.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  createHandoffHandler,
  createMemoryStore,
  createSessionHandler,
  createStatusHandler,
  createVerdictLedger,
  createWebhookHandler,
} from '../../src/server/index.js';
import type { FlowStore, ReferenceCallback, Verdict, VerdictLedger } from '../../src/server/index.js';
import { API_KEY, TOKEN_SECRET, capturingLogger, flowEndRequest, startFakeVendor, tokenHeader, until } from './fake-vendor.js';
import type { FakeVendor, VendorBehaviour } from './fake-vendor.js';

const SITE = 'https://shop.example';
const PATH_TOKEN = 'webhook-path-token-' + 'Vq8s'.repeat(6);
const PASSED = { json: { status: 'FINISHED', flow_session_result: true } };
const FAILED = { json: { status: 'FAILED', flow_session_result: false, flow_session_failure_reasons: ['Invalid IIN'] } };

/** The signed-in user of a request: a header stands for the host's session cookie here. */
const reference: ReferenceCallback = ({ request }) => request.headers.get('x-user') ?? undefined;

let vendor: FakeVendor;
const results = new Map<string, VendorBehaviour>();
let creates = 0;

before(async () => {
  vendor = await startFakeVendor();
  vendor.behave((request) => {
    if (request.url.pathname.endsWith('/create/')) {
      creates++;
      return { json: { session_id: randomUUID(), technologies: ['LD'] } };
    }
    return results.get(request.url.searchParams.get('session_id') ?? '') ?? { json: {} };
  });
});
after(async () => {
  await vendor?.close();
});

/** A ledger, the three handlers on it, and what onVerdict took. */
function host(options: { store?: FlowStore; onVerdict?: (verdict: Verdict) => void | Promise<void> } = {}) {
  const taken: Verdict[] = [];
  const logger = capturingLogger();
  const verdicts: VerdictLedger = createVerdictLedger({
    apiKey: API_KEY,
    apiBaseUrl: vendor.url,
    store: options.store ?? createMemoryStore(),
    sweepIntervalMs: 100,
    logger,
    onVerdict:
      options.onVerdict ??
      ((verdict) => {
        taken.push(verdict);
      }),
  });
  const common = { apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger, verdicts };
  return {
    verdicts,
    taken,
    logger,
    session: createSessionHandler({ ...common, reference }),
    status: createStatusHandler({ ...common, reference, reuseMs: 0 }),
    webhook: createWebhookHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, pathToken: PATH_TOKEN, logger, verdicts, confirmWaitMs: 0 }),
    handoff: createHandoffHandler({ tokenSecret: TOKEN_SECRET, flowBaseUrl: 'https://flow.example', logger, verdicts, reference }),
  };
}

const headers = (user: string | undefined, more: Record<string, string> = {}): Record<string, string> => ({
  'Content-Type': 'application/json',
  origin: SITE,
  ...(user === undefined ? {} : { 'x-user': user }),
  ...more,
});

async function createFor(handler: (request: Request) => Promise<Response>, user: string | undefined): Promise<Response> {
  return handler(new Request(`${SITE}/session`, { method: 'POST', headers: headers(user), body: '{}' }));
}

async function statusOf(handler: (request: Request) => Promise<Response>, sessionId: string, user: string | undefined, token?: Record<string, string>) {
  return handler(new Request(`${SITE}/status?session_id=${sessionId}`, { headers: headers(user, token ?? (await tokenHeader(sessionId))) }));
}

const flowEnd = (sessionId: string, claimsPassed: boolean) => flowEndRequest(`${SITE}/webhooks/${PATH_TOKEN}`, sessionId, claimsPassed);

describe('createSessionHandler with verdicts', () => {
  it('records each session for its reference before answering', async () => {
    const { session, verdicts } = host();
    const response = await createFor(session, 'alice');
    assert.equal(response.status, 200);
    const body = (await response.json()) as { session_id: string; expires_at: string };
    assert.deepEqual(await verdicts.get(body.session_id), { reference: 'alice', state: 'open' });
  });

  it('answers 403 forbidden and creates nothing when the reference is undefined (nobody signed in)', async () => {
    const { session, logger } = host();
    const before = creates;
    const response = await createFor(session, undefined);
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'forbidden');
    assert.equal(creates, before, 'no vendor session');
    assert.ok(logger.lines.some((line) => line.includes('no reference (nobody signed in)')));
  });

  it('answers 500 to a reference that is not a short string, logging the TypeError once', async () => {
    const logger = capturingLogger();
    const verdicts = createVerdictLedger({ apiKey: API_KEY, onVerdict: () => undefined, logger });
    for (const wrong of [42, 'x'.repeat(200)]) {
      const handler = createSessionHandler({
        apiKey: API_KEY,
        apiBaseUrl: vendor.url,
        tokenSecret: TOKEN_SECRET,
        logger,
        verdicts,
        reference: () => wrong as string,
      });
      const before = creates;
      for (let i = 0; i < 3; i++) assert.equal((await createFor(handler, 'x')).status, 500);
      assert.equal(creates, before);
    }
    const typeErrors = logger.lines.filter((line) => line.includes('TypeError'));
    assert.equal(typeErrors.length, 2, 'once per handler');
    assert.match(typeErrors[0]!, /reference must be a string \(got number\)/);
    assert.match(typeErrors[1]!, /1 to 128 characters \(got 200\)/);
  });

  it('answers 503 and hands out no session when the store cannot record it', async () => {
    const store = createMemoryStore();
    const down: FlowStore = { ...store, compareAndSet: () => Promise.reject(new Error('ECONNREFUSED')) };
    const { session, logger } = host({ store: down });
    const response = await createFor(session, 'alice');
    assert.equal(response.status, 503);
    const body = (await response.json()) as { error: { code: string }; session_id?: string };
    assert.equal(body.error.code, 'store-unavailable');
    assert.equal(body.session_id, undefined);
    assert.equal(response.headers.get('Retry-After'), '1');
    assert.ok(logger.lines.some((line) => /could not record session .* which is not handed out/.test(line)));
  });

  it('leaves no half-recorded session when the store takes the record but not its place in the schedule', async () => {
    const store = createMemoryStore();
    const written: string[] = [];
    const half: FlowStore = {
      ...store,
      compareAndSet: (key, expected, value, ttlMs) => {
        written.push(key);
        return store.compareAndSet(key, expected, value, ttlMs);
      },
      schedule: () => Promise.reject(new Error('ECONNRESET')),
    };
    const { session, verdicts } = host({ store: half });
    const response = await createFor(session, 'alice');
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'store-unavailable');
    assert.equal(written.length, 1, 'the record was written');
    assert.equal(await store.get(written[0]!), undefined, 'and taken back');
    await verdicts.stop();
  });

  it('refuses verdicts without a reference, and reference without verdicts where the check needs both', () => {
    const verdicts = createVerdictLedger({ apiKey: API_KEY, onVerdict: () => undefined });
    assert.throws(() => createSessionHandler({ apiKey: API_KEY, verdicts }), /verdicts needs reference/);
    assert.throws(() => createStatusHandler({ apiKey: API_KEY, reference }), /reference needs verdicts/);
    assert.throws(() => createHandoffHandler({ reference }), /reference and verdicts go together/);
    assert.throws(() => createSessionHandler({ apiKey: API_KEY, verdicts: {} as VerdictLedger, reference }), /verdicts must be a ledger/);
    assert.throws(() => createWebhookHandler({ apiKey: API_KEY, pathToken: PATH_TOKEN }), /give onEvent, verdicts or both/);
  });
});

describe('createStatusHandler with verdicts and reference', () => {
  it('answers a session only to its own reference, even with its status token', async () => {
    const { session, status } = host();
    const { session_id: id } = (await (await createFor(session, 'alice')).json()) as { session_id: string };
    const calls = vendor.requests.length;
    const bob = await statusOf(status, id, 'bob');
    assert.equal(bob.status, 403, "bob's account with alice's token");
    assert.equal(((await bob.json()) as { error: { code: string } }).error.code, 'forbidden');
    assert.equal((await statusOf(status, id, undefined)).status, 403, 'signed out');
    assert.equal((await statusOf(status, randomUUID(), 'alice')).status, 403, 'a session the ledger does not know');
    assert.equal(vendor.requests.length, calls, 'the vendor was not asked for any of them');
    assert.equal((await statusOf(status, id, 'alice')).status, 200);
  });

  it('delivers the verdict a polling browser sees, once, with the session\'s reference', async () => {
    const { session, status, taken } = host();
    const { session_id: id } = (await (await createFor(session, 'alice')).json()) as { session_id: string };
    assert.equal(((await (await statusOf(status, id, 'alice')).json()) as { status: string }).status, 'PENDING');
    results.set(id, FAILED);
    await statusOf(status, id, 'alice');
    await statusOf(status, id, 'alice');
    await until(() => taken.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(taken, [{ reference: 'alice', sessionId: id, outcome: 'failed', reasons: [{ code: 'invalid-iin' }], via: 'status', attempt: 1 }]);
  });
  it('tells the ledger what a held request (wait) read from the vendor, so its verdict is delivered', { timeout: 10_000 }, async () => {
    const { session, status, taken } = host();
    const { session_id: id } = (await (await createFor(session, 'dave')).json()) as { session_id: string };
    const held = status(new Request(`${SITE}/status?session_id=${id}&wait=5`, { headers: headers('dave', await tokenHeader(id)) }));
    await until(() => vendor.requests.some((request) => request.url.searchParams.get('session_id') === id));
    results.set(id, PASSED);
    assert.equal(((await (await held).json()) as { status: string }).status, 'FINISHED');
    await until(() => taken.length === 1);
    assert.deepEqual(taken, [{ reference: 'dave', sessionId: id, outcome: 'passed', reasons: [], via: 'status', attempt: 1 }]);
  });
});

describe('createWebhookHandler with verdicts', () => {
  it('delivers a confirmed flow.end once, with the vendor\'s outcome whatever the webhook claims', async () => {
    const { session, webhook, taken, verdicts } = host();
    const { session_id: id } = (await (await createFor(session, 'carol')).json()) as { session_id: string };
    results.set(id, FAILED);
    const forged = await webhook(flowEnd(id, true));
    assert.equal(forged.status, 200, 'confirmed with the vendor, who says FAILED');
    assert.equal((await webhook(flowEnd(id, false))).status, 200);
    await until(() => taken.length === 1);
    await verdicts.stop();
    assert.equal(taken.length, 1);
    assert.equal(taken[0]!.outcome, 'failed');
    assert.equal(taken[0]!.via, 'webhook');
    assert.equal(taken[0]!.reference, 'carol');
  });

  it('confirms a webhook for a session the ledger never made, and delivers nothing', async () => {
    const { webhook, taken, verdicts } = host();
    const stranger = randomUUID();
    results.set(stranger, PASSED);
    assert.equal((await webhook(flowEnd(stranger, true))).status, 200);
    await verdicts.sweep();
    await verdicts.stop();
    assert.deepEqual(taken, []);
  });

  it('has a session whose result still lags checked by the next sweeps', async () => {
    const { session, webhook, taken, verdicts } = host();
    const { session_id: id } = (await (await createFor(session, 'dave')).json()) as { session_id: string };
    const pending = await webhook(flowEnd(id, true));
    assert.equal(pending.status, 503, 'result-pending: the vendor retries too');
    results.set(id, PASSED);
    await until(async () => (await verdicts.sweep(), taken.length === 1));
    assert.equal(taken[0]!.via, 'sweep');
    assert.equal(taken[0]!.outcome, 'passed');
  });
});

describe('createHandoffHandler with verdicts and reference', () => {
  it('makes a link only for the session\'s own reference', async () => {
    const { session, handoff } = host();
    const { session_id: id } = (await (await createFor(session, 'erin')).json()) as { session_id: string };
    const ask = async (user: string) =>
      handoff(new Request(`${SITE}/handoff`, { method: 'POST', headers: headers(user, await tokenHeader(id)), body: JSON.stringify({ session_id: id }) }));
    assert.equal((await ask('mallory')).status, 403);
    assert.equal((await ask('erin')).status, 200);
  });
});
