// The flow's failure reasons (docs/vendor.md §8) as stable codes, and what each code means for the person.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FAILURE_TYPES,
  REASON_ADVICE,
  REASON_CODES,
  VENDOR_REASON_CODES,
  combinedAdvice,
  reasonCode,
  resultFailureReasons,
  summarizeResult,
} from '../../src/server/index.js';
import type { ReasonCode } from '../../src/server/index.js';
import { failureReasonOf } from '../../src/server/vendor-reasons.js';

/** Every detail of the guide's failure-reasons page, with the code it must get. */
const DETAILS: [string, ReasonCode][] = [
  ['Operation aborted by user', 'flow-aborted'],
  ['Liveness result for this session already exists', 'session-already-used'],
  ['Closed eyes', 'eyes-closed'],
  ['Low prediction', 'liveness-low-score'],
  ['Low overall prediction', 'liveness-low-score'],
  ['Incorrect image hash', 'check-failed'],
  ['Medical mask check failed', 'mask-on'],
  ['Mask Attack', 'check-failed'],
  ['Illumination check failed', 'poor-lighting'],
  ['Subscription does not have access to technology', 'subscription-inactive'],
];

describe('failure reason codes (docs/vendor.md §8)', () => {
  it('give every documented detail its code, whatever its type, case or surroundings', () => {
    for (const [detail, code] of DETAILS) {
      for (const type of [undefined, ...FAILURE_TYPES]) {
        assert.equal(reasonCode(detail, type), code, `${detail} (${type})`);
      }
      assert.equal(reasonCode(`  ${detail.toUpperCase()}.`), code, detail);
    }
  });

  it('give an unknown detail the code of its type, and vendor-error without a known type', () => {
    const byType: Record<string, ReasonCode> = {
      NO_CAM: 'camera-unavailable',
      TIMEOUT: 'flow-timeout',
      SERVICE_ERROR: 'service-error',
      REQUEST_ERROR: 'request-error',
      CALC_RESULT: 'check-failed',
      CLIENT: 'check-failed',
      OTHER: 'vendor-error',
    };
    assert.deepEqual(Object.keys(byType).sort(), [...FAILURE_TYPES].sort());
    for (const [type, code] of Object.entries(byType)) assert.equal(reasonCode('Something new', type), code, type);
    for (const type of [undefined, 'no_cam', 'BOGUS', 7]) assert.equal(reasonCode('Something new', type), 'vendor-error', String(type));
  });

  it("map the emulator's mistyped SMS code and expired session, for which the vendor documents no text", () => {
    assert.equal(reasonCode('invalid_otp'), 'sms-code-wrong');
    assert.equal(reasonCode('session_expired'), 'flow-timeout');
  });

  it('read a type from a string prefix, an object, or a nested failure_reason object', () => {
    assert.deepEqual(failureReasonOf('NO_CAM: Camera is not available'), { code: 'camera-unavailable', text: 'Camera is not available' });
    assert.deepEqual(failureReasonOf('LD: CALC_RESULT: Closed eyes'), { code: 'eyes-closed', technology: 'LD', text: 'Closed eyes' });
    assert.deepEqual(failureReasonOf('TIMEOUT'), { code: 'flow-timeout', text: 'TIMEOUT' });
    assert.deepEqual(failureReasonOf({ type: 'SERVICE_ERROR', detail: 'Upstream failed' }), { code: 'service-error', text: 'Upstream failed' });
    assert.deepEqual(failureReasonOf({ technology: 'LDHP', failure_reason: { type: 'CALC_RESULT', detail: 'Mask Attack' } }), {
      code: 'check-failed',
      technology: 'LDHP',
      text: 'Mask Attack',
    });
    assert.deepEqual(failureReasonOf({ type: 'NO_CAM' }), { code: 'camera-unavailable', text: 'NO_CAM' });
    assert.equal(failureReasonOf({ type: 'UNKNOWN_TYPE' }), undefined);
    assert.deepEqual(failureReasonOf('UNKNOWN_TYPE: x'), { code: 'vendor-error', text: 'UNKNOWN_TYPE: x' });
  });

  it("add the technology results' typed reasons to the listed texts, each reason once", () => {
    const result = {
      status: 'FAILED',
      flow_session_result: false,
      technologies: [{ code: 'LDHP' }, { code: 'ED' }],
      flow_session_failure_reasons: ['LD: camera_denied', 'Illumination check failed'],
      liveness_result: { result: false, failure_reason: { type: 'CALC_RESULT', detail: 'Illumination check failed' } },
      edocument_result: { result: false, failure_reason: { type: 'CLIENT', detail: 'invalid_otp' }, iin: '900101300005' },
      face2face_result: { result: true, failure_reason: null },
    };
    assert.deepEqual(resultFailureReasons(result), [
      { code: 'vendor-error', technology: 'LD', text: 'camera_denied' },
      { code: 'poor-lighting', technology: 'LDHP', text: 'Illumination check failed' },
      { code: 'sms-code-wrong', technology: 'ED', text: 'invalid_otp' },
    ]);
    // The emulator's camera failure: listed as text, typed NO_CAM in its technology's result.
    assert.deepEqual(
      resultFailureReasons({
        technologies: ['LD', 'F2F'],
        flow_session_failure_reasons: ['LD: camera_denied'],
        liveness_result: { result: false, failure_reason: { type: 'NO_CAM', detail: 'camera_denied' } },
      }),
      [{ code: 'camera-unavailable', technology: 'LD', text: 'camera_denied' }],
    );
    assert.deepEqual(summarizeResult(result).failure_reasons, resultFailureReasons(result));
  });

  it("read a flow.end webhook's session_result, which lists no texts (the guide's example)", () => {
    const sessionResult = {
      status: 'FAILED',
      session_id: '5b3a6f0e-4a8c-4a4e-9c36-0f6f1c2b9d11',
      technologies: [{ code: 'LD', name: 'Liveness' }],
      liveness_result: { result: false, failure_reason: { type: 'CALC_RESULT', detail: 'Low overall prediction' } },
      flow_session_result: false,
    };
    assert.deepEqual(resultFailureReasons(sessionResult), [{ code: 'liveness-low-score', technology: 'LD', text: 'Low overall prediction' }]);
    assert.deepEqual(resultFailureReasons(null), []);
    assert.deepEqual(resultFailureReasons({ liveness_result: { failure_reason: 'Closed eyes' } }), []);
  });
});

describe('reason advice', () => {
  it('has every code, the vendor error codes included, and a next step exactly where a retry cannot help', () => {
    assert.deepEqual(Object.keys(REASON_ADVICE).sort(), [...REASON_CODES].sort());
    for (const code of VENDOR_REASON_CODES) assert.ok(REASON_CODES.includes(code), code);
    for (const [code, advice] of Object.entries(REASON_ADVICE)) {
      assert.equal(advice.next === undefined, advice.retry, code);
      if (advice.fixer === 'nobody-now') assert.equal(advice.next, 'come-back-later', code);
      if (advice.fixer === 'site') assert.equal(advice.next, 'contact-site', code);
    }
  });

  it('sends a person to register the phone, sign up with eGov, come back later or contact the site where a retry cannot help', () => {
    const next = (code: ReasonCode) => [REASON_ADVICE[code].retry, REASON_ADVICE[code].next];
    assert.deepEqual(next('subject-not-found'), [false, 'register-phone']);
    assert.deepEqual(next('profile-not-found'), [false, 'register-egov']);
    assert.deepEqual(next('edocument-unavailable'), [false, 'come-back-later']);
    assert.deepEqual(next('government-service-error'), [false, 'come-back-later']);
    assert.deepEqual(next('invalid-iin'), [false, 'contact-site']);
    assert.deepEqual(next('subscription-inactive'), [false, 'contact-site']);
    for (const code of ['eyes-closed', 'poor-lighting', 'mask-on', 'camera-unavailable', 'flow-aborted', 'sms-code-wrong', 'check-failed'] as const) {
      assert.deepEqual(next(code), [true, undefined], code);
      assert.equal(REASON_ADVICE[code].fixer, 'person', code);
    }
  });

  it('combines reasons: no retry when one says it cannot help, each next step once, unknown codes as vendor-error', () => {
    assert.deepEqual(combinedAdvice([]), { retry: true, next: [] });
    assert.deepEqual(combinedAdvice(['eyes-closed', 'poor-lighting']), { retry: true, next: [] });
    assert.deepEqual(combinedAdvice(['eyes-closed', 'edocument-unavailable', 'service-error', 'subject-not-found']), {
      retry: false,
      next: ['come-back-later', 'register-phone'],
    });
    assert.deepEqual(combinedAdvice(['something-new', 42, null]), { retry: true, next: [] });
  });
});
