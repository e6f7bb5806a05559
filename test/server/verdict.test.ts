// The one definition of the verdict (src/verdict.ts), which the element, the status and webhook handlers
// and the verdict ledger share.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FINAL_STATUSES, verdictOf, verdictOfResult } from '../../src/verdict.js';
import { outcomeOf } from '../../src/status-poller.js';

describe('verdictOf', () => {
  it('passes only FINISHED with flow_session_result true', () => {
    assert.equal(verdictOf('FINISHED', { flow_session_result: true }), 'passed');
    assert.equal(verdictOf('FINISHED', { status: 'FINISHED', flow_session_result: true, extra: 1 }), 'passed');
  });

  it('fails FAILED whatever its result says, and a final status whose result is false', () => {
    assert.equal(verdictOf('FAILED', { flow_session_result: false }), 'failed');
    assert.equal(verdictOf('FAILED', { flow_session_result: true }), 'failed');
    assert.equal(verdictOf('FAILED', undefined), 'failed');
    assert.equal(verdictOf('FINISHED', { flow_session_result: false }), 'failed');
  });

  it('has no verdict for FINISHED without a boolean result', () => {
    for (const result of [undefined, null, {}, { flow_session_result: null }, { flow_session_result: 'true' }]) {
      assert.equal(verdictOf('FINISHED', result), undefined, JSON.stringify(result));
    }
  });

  it('has no verdict for a status that is not final, even with a false result (the webhook used to say failed)', () => {
    for (const status of [undefined, 'PENDING', 'PROGRESS', 'EXPIRED', 'CANCELLED', 'finished', 'failed', '']) {
      assert.equal(verdictOf(status, { flow_session_result: false }), undefined, String(status));
      assert.equal(verdictOf(status, { flow_session_result: true }), undefined, String(status));
    }
  });

  it('takes FINISHED and FAILED, and nothing else, as final', () => {
    assert.deepEqual([...FINAL_STATUSES].sort(), ['FAILED', 'FINISHED']);
  });
});

describe('verdictOfResult', () => {
  it('reads the status from the vendor result itself', () => {
    assert.equal(verdictOfResult({ status: 'FINISHED', flow_session_result: true }), 'passed');
    assert.equal(verdictOfResult({ status: 'FINISHED', flow_session_result: false }), 'failed');
    assert.equal(verdictOfResult({ status: 'FAILED' }), 'failed');
    assert.equal(verdictOfResult({ status: 'PROGRESS', flow_session_result: false }), undefined);
  });

  it('has no verdict for the vendor\'s {} (not yet), nothing, or a status that is not a string', () => {
    assert.equal(verdictOfResult({}), undefined);
    assert.equal(verdictOfResult(undefined), undefined);
    assert.equal(verdictOfResult(null), undefined);
    assert.equal(verdictOfResult({ status: 1, flow_session_result: true }), undefined);
  });
});

describe("the element's outcome", () => {
  it('is the verdict, and unconfirmed where there is none', () => {
    assert.equal(outcomeOf('FINISHED', { flow_session_result: true }), 'passed');
    assert.equal(outcomeOf('FAILED', {}), 'failed');
    assert.equal(outcomeOf('FINISHED', {}), 'unconfirmed');
    assert.equal(outcomeOf('EXPIRED', { flow_session_result: false }), 'unconfirmed');
    assert.equal(outcomeOf(undefined, undefined), 'unconfirmed');
  });
});
