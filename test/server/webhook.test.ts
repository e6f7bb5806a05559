import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownWebhookEvent, parseWebhookEvent } from '../../src/server/index.js';
import { SESSION_ID } from './fake-vendor.js';

const envelope = { id: 'evt_1', session_id: SESSION_ID, created: 1_735_689_600, success: true, flow_name: 'KYC', metadata: {} };

describe('parseWebhookEvent', () => {
  it('accepts each documented event, from an object or from JSON text', () => {
    const events = [
      { ...envelope, event: 'flow.start', data: { technologies: ['LDHP', 'F2F'] } },
      { ...envelope, event: 'technology.start', data: { technology_code: 'LDHP', technology_name: 'Liveness' } },
      { ...envelope, event: 'technology.end', data: { liveness_result: { result: true, prediction: 0.98, failure_reason: null } } },
      { ...envelope, event: 'flow.end', data: { session_result: { status: 'FINISHED', session_id: SESSION_ID, flow_session_result: true } } },
    ];
    for (const event of events) {
      for (const body of [event, JSON.stringify(event)]) {
        const parsed = parseWebhookEvent(body);
        assert.equal(parsed.success, true, event.event);
        if (parsed.success) {
          assert.deepEqual(parsed.event, event);
          assert.equal(isKnownWebhookEvent(parsed.event), true);
        }
      }
    }
  });

  it('accepts the guide’s failed flow.end (docs/vendor.md §8), keeping every field', () => {
    const failed = {
      ...envelope,
      event: 'flow.end',
      success: false,
      data: {
        session_result: {
          status: 'FAILED',
          session_id: SESSION_ID,
          technologies: ['LDHP'],
          liveness_result: { result: false, failure_reason: { type: 'CALC_RESULT', detail: 'Low overall prediction' } },
          flow_session_result: false,
        },
      },
    };
    const parsed = parseWebhookEvent(JSON.stringify(failed));
    assert.equal(parsed.success, true);
    if (parsed.success) assert.deepEqual(parsed.event, failed);
  });

  it('passes an unknown event name through with the envelope checked', () => {
    const parsed = parseWebhookEvent({ ...envelope, event: 'flow.expired', data: { anything: 1 } });
    assert.equal(parsed.success, true);
    if (parsed.success) {
      assert.equal(parsed.event.event, 'flow.expired');
      assert.equal(isKnownWebhookEvent(parsed.event), false);
    }
  });

  it('names the wrong fields of an invalid envelope', () => {
    const parsed = parseWebhookEvent({ id: 'evt_1', event: 'flow.end', session_id: 'nope', created: 'yesterday' });
    assert.equal(parsed.success, false);
    if (!parsed.success) assert.deepEqual(parsed.issues.map((issue) => issue.path).sort(), ['created', 'session_id']);
  });

  it('checks the data of a known event', () => {
    const flowEnd = parseWebhookEvent({ ...envelope, event: 'flow.end', data: { session_result: {} } });
    assert.equal(flowEnd.success, false);
    if (!flowEnd.success) assert.deepEqual(flowEnd.issues.map((issue) => issue.path), ['data.session_result.status']);
    const start = parseWebhookEvent({ ...envelope, event: 'technology.start', data: { technology_code: 'liveness' } });
    assert.equal(start.success, false);
    if (!start.success) assert.deepEqual(start.issues.map((issue) => issue.path), ['data.technology_code']);
  });

  it('reports invalid JSON text as one issue instead of throwing', () => {
    assert.deepEqual(parseWebhookEvent('{"id":'), {
      success: false,
      issues: [{ path: '', message: 'The webhook body is not valid JSON' }],
    });
    assert.equal(parseWebhookEvent(null).success, false);
  });
});
