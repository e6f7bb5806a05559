// A held status request (`wait`) answered as soon as the verdict is known anywhere: a confirmed webhook
// (or a sweep) tells the ledger, which passes the final result to the status handlers sharing it in this
// process, at once, and through the store to those of other instances, within a few hundred ms. No
// vendor call is added for it: the status side does not ask again. With the webhook and status handlers
// on one store, a session costs at most one vendor call per second between them (src/server/vendor-pace.ts):
// a session whose webhooks arrive is left to the push, and a confirmation waits out a status call's second.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createMemoryStore, createStatusHandler, createVerdictLedger, createWebhookHandler } from '../../src/server/index.js';
import type { FlowStore, Verdict, VerdictLedger } from '../../src/server/index.js';
import { API_KEY, TOKEN_SECRET, capturingLogger, flowEndRequest, startFakeVendor, technologyEndRequest, tokenHeader, until } from './fake-vendor.js';
import type { FakeVendor, VendorBehaviour } from './fake-vendor.js';

const SITE = 'https://shop.example';
const PATH_TOKEN = 'webhook-path-token-' + 'Pw3n'.repeat(6);
const PASSED: VendorBehaviour = { json: { status: 'FINISHED', flow_session_result: true } };

let vendor: FakeVendor;
const results = new Map<string, VendorBehaviour>();
before(async () => {
  vendor = await startFakeVendor();
  vendor.behave((request) => results.get(request.url.searchParams.get('session_id') ?? '') ?? { json: {} });
});
after(() => vendor?.close());

/** When the vendor was asked about a session (ms since the epoch). */
const callTimes = (id: string) => vendor.requests.filter((request) => request.url.searchParams.get('session_id') === id).map((request) => request.at);
/** How many times the vendor was asked about a session. */
const callsAbout = (id: string) => callTimes(id).length;

/** One instance of a host: its ledger and handlers on the shared store, and what onVerdict took. */
function instance(store: FlowStore, { webhook = true, sweepIntervalMs = 30_000, statusFetch = undefined as typeof fetch | undefined } = {}) {
  const taken: Verdict[] = [];
  const logger = capturingLogger();
  const verdicts: VerdictLedger = createVerdictLedger({
    apiKey: API_KEY,
    apiBaseUrl: vendor.url,
    store,
    sweepIntervalMs,
    logger,
    onVerdict: (verdict) => {
      taken.push(verdict);
    },
  });
  const common = { apiKey: API_KEY, apiBaseUrl: vendor.url, logger, verdicts, store };
  return {
    verdicts,
    taken,
    logger,
    status: createStatusHandler({ ...common, tokenSecret: TOKEN_SECRET, fetch: statusFetch }),
    webhook: webhook ? createWebhookHandler({ ...common, pathToken: PATH_TOKEN, confirmWaitMs: 0 }) : undefined,
  };
}

async function newSession(verdicts: VerdictLedger): Promise<string> {
  const id = randomUUID();
  await verdicts.record({ sessionId: id, reference: 'alice', expiresAt: Date.now() + 60_000 });
  return id;
}

async function hold(status: (request: Request) => Promise<Response>, id: string, seconds: number) {
  const response = await status(new Request(`${SITE}/status?session_id=${id}&wait=${seconds}`, { headers: await tokenHeader(id) }));
  return { at: Date.now(), body: (await response.json()) as { status: string; result?: { flow_session_result?: boolean } } };
}

/** A fetch whose answers come `ms` after the vendor gave them: a call in flight when the result appears. */
const slowAnswers = (ms: number): typeof fetch => async (input, init) => {
  const response = await fetch(input, init);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return response;
};

const flowEnd = (id: string) => flowEndRequest(`${SITE}/webhooks/${PATH_TOKEN}`, id);
/** The vendor's webhook for a technology's end: the session's webhooks arrive. */
const technologyEnd = (id: string) => technologyEndRequest(`${SITE}/webhooks/${PATH_TOKEN}`, id);

describe('createStatusHandler with verdicts: the verdict pushed to held requests', () => {
  it('answers a held request as soon as a webhook confirms the verdict, with no vendor call but the webhook\'s', { timeout: 10_000 }, async () => {
    const host = instance(createMemoryStore());
    const id = await newSession(host.verdicts);
    // The vendor's webhooks arrive during the flow: the verdict will come by push.
    assert.equal((await host.webhook!(technologyEnd(id))).status, 200);
    const held = hold(host.status, id, 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(callsAbout(id), 0, 'the held request leaves the session to the push');
    results.set(id, PASSED);
    const hook = await host.webhook!(flowEnd(id));
    const confirmed = Date.now();
    assert.equal(hook.status, 200);
    const answer = await held;
    assert.equal(answer.body.status, 'FINISHED');
    assert.equal(answer.body.result?.flow_session_result, true, 'mapped by the status handler, as a result it read itself');
    assert.ok(answer.at - confirmed < 300, `answered ${answer.at - confirmed} ms after the webhook was confirmed`);
    assert.equal(callsAbout(id), 1, 'the webhook\'s confirmation, nothing more');
    await until(() => host.taken.length === 1);
    assert.equal(host.taken[0]!.via, 'webhook');
    await host.verdicts.stop();
  });

  it('answers a held request on another instance sharing the store within a few hundred ms, with no vendor call of its own', { timeout: 10_000 }, async () => {
    const store = createMemoryStore();
    const hooked = instance(store);
    const other = instance(store, { webhook: false });
    const id = await newSession(hooked.verdicts);
    assert.equal((await hooked.webhook!(technologyEnd(id))).status, 200);
    const held = hold(other.status, id, 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(callsAbout(id), 0, 'the held request, on another instance, leaves the session to the push');
    results.set(id, PASSED);
    assert.equal((await hooked.webhook!(flowEnd(id))).status, 200);
    const confirmed = Date.now();
    const answer = await held;
    assert.equal(answer.body.status, 'FINISHED');
    assert.ok(answer.at - confirmed < 450, `answered ${answer.at - confirmed} ms after the webhook, on the other instance`);
    assert.equal(callsAbout(id), 1, 'the webhook\'s confirmation, nothing more');
    await Promise.all([hooked.verdicts.stop(), other.verdicts.stop()]);
  });

  it('asks the vendor for a held session whose webhooks arrive once the pace has passed with no push', { timeout: 15_000 }, async () => {
    const host = instance(createMemoryStore());
    const id = await newSession(host.verdicts);
    assert.equal((await host.webhook!(technologyEnd(id))).status, 200);
    const started = Date.now();
    const held = hold(host.status, id, 8);
    await until(() => callsAbout(id) === 1, 7000);
    const asked = callTimes(id)[0]! - started;
    assert.ok(asked >= 4900 && asked < 5600, `asked ${asked} ms after the request came (pace 5000 ms)`);
    results.set(id, PASSED);
    // The flow.end webhook is lost: the next call, a pace later, would bring it; the wait (8 s) ends first.
    const answer = await held;
    assert.equal(answer.body.status, 'PENDING');
    assert.equal(callsAbout(id), 1);
    await host.verdicts.stop();
  });

  it('keeps to one vendor call per second: a flow.end within a second of a status call is confirmed once that second is over', { timeout: 10_000 }, async () => {
    const host = instance(createMemoryStore());
    const id = await newSession(host.verdicts);
    // No webhook before the end: the held request polls.
    const held = hold(host.status, id, 10);
    await until(() => callsAbout(id) === 1);
    results.set(id, PASSED);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await host.webhook!(flowEnd(id))).status, 200);
    const answer = await held;
    assert.equal(answer.body.status, 'FINISHED');
    const [poll, confirmation] = callTimes(id);
    assert.equal(callsAbout(id), 2, 'the status call and the webhook\'s confirmation');
    assert.ok(confirmation! - poll! >= 990, `the confirmation came ${confirmation! - poll!} ms after the status call`);
    assert.ok(answer.at - poll! < 1400, `answered ${answer.at - poll!} ms after the status call`);
    await host.verdicts.stop();
  });

  it('answers a held request when a sweep of the same ledger reads the verdict', { timeout: 10_000 }, async () => {
    const host = instance(createMemoryStore(), { webhook: false, sweepIntervalMs: 100 });
    const id = await newSession(host.verdicts);
    const held = hold(host.status, id, 10);
    await until(() => callsAbout(id) === 1);
    const firstCall = Date.now();
    results.set(id, PASSED);
    // The session's check is due one sweep interval after the status handler's call.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const report = await host.verdicts.sweep();
    assert.equal(report.decided, 1);
    const swept = Date.now();
    const answer = await held;
    assert.equal(answer.body.status, 'FINISHED');
    assert.ok(answer.at - swept < 300, `answered ${answer.at - swept} ms after the sweep`);
    assert.ok(answer.at - firstCall < 900, `answered ${answer.at - firstCall} ms after the first vendor call, before the window ran out`);
    assert.equal(callsAbout(id), 1 + report.vendorCalls, 'the first status call and the sweep\'s, nothing more');
    await host.verdicts.stop();
  });

  it('answers a status request right after a confirmed webhook from the store, on any instance, without asking the vendor', { timeout: 10_000 }, async () => {
    const store = createMemoryStore();
    const hooked = instance(store);
    const other = instance(store, { webhook: false });
    const id = await newSession(hooked.verdicts);
    results.set(id, PASSED);
    assert.equal((await hooked.webhook!(flowEnd(id))).status, 200);
    assert.equal(callsAbout(id), 1);
    await until(async () => (await store.get(`bf:status:${id}`)) !== undefined, 1000);
    const response = await other.status(new Request(`${SITE}/status?session_id=${id}`, { headers: await tokenHeader(id) }));
    assert.equal(((await response.json()) as { status: string }).status, 'FINISHED');
    assert.equal(callsAbout(id), 1, 'only the webhook\'s confirmation');
    await Promise.all([hooked.verdicts.stop(), other.verdicts.stop()]);
  });

  for (const where of ['this instance', 'another instance sharing the store']) {
    it(`is not held back by a vendor call that began before the result existed and ended after the webhook (${where})`, { timeout: 10_000 }, async () => {
      const store = createMemoryStore();
      const hooked = instance(store, { statusFetch: slowAnswers(1500) });
      const other = instance(store, { webhook: false, statusFetch: slowAnswers(1500) });
      const id = await newSession(hooked.verdicts);
      const held = hold(where === 'this instance' ? hooked.status : other.status, id, 10);
      await until(() => callsAbout(id) === 1);
      const firstCall = Date.now();
      // The vendor answered `{}`; its answer is on its way (1.5 s) when the result and the webhook come,
      // past the call's second, so that the confirmation does not wait.
      results.set(id, PASSED);
      await new Promise((resolve) => setTimeout(resolve, 1050));
      assert.equal((await hooked.webhook!(flowEnd(id))).status, 200);
      const confirmed = Date.now();
      const answer = await held;
      assert.equal(answer.body.status, 'FINISHED');
      // On this instance it is heard at once, the slow answer still on its way; on another, at its first
      // look at the store after that answer.
      if (where === 'this instance') assert.ok(answer.at - confirmed < 300, `answered ${answer.at - confirmed} ms after the webhook was confirmed`);
      else assert.ok(answer.at - firstCall < 1500 + 400, `answered ${answer.at - firstCall} ms after the first vendor call`);
      assert.equal(callsAbout(id), 2, 'the held request\'s first call and the webhook\'s confirmation, nothing more');
      await Promise.all([hooked.verdicts.stop(), other.verdicts.stop()]);
    });
  }
});
