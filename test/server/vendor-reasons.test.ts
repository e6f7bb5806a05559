import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VENDOR_REASON_CODES, failureReasonsOf, summarizeResult, vendorReasonCode } from '../../src/server/index.js';
import type { VendorReasonCode } from '../../src/server/index.js';
import { vendorErrorText } from '../../src/server/vendor-reasons.js';

/** docs/vendor.md §6, every text as integrators report it. */
const TABLE: [VendorReasonCode, string[]][] = [
  ['subject-not-found', ['Subject not found in MCDB']],
  ['edocument-unavailable', ["Can't connect to e-document service", 'EDocument service is not available now']],
  ['edocument-timeout', ['Could not send request to e-document service']],
  ['government-service-error', ['Government service error']],
  ['profile-not-found', ['Profile is not found']],
  ['invalid-iin', ['Invalid IIN']],
  ['session-already-used', ['EDocument for this session has already been received', 'You have already requested a document for this session']],
  ['edocument-not-requested', ['You have not sent a request for access to an e-document']],
  [
    'subscription-inactive',
    [
      'Client does not have access to E-Document technology',
      'Subscription has not started',
      'No active or future subscription for technology',
      'Client does not have subscription',
    ],
  ],
];

describe('vendor reason codes', () => {
  it('map every text of the table, in any case, trimmed, inside a longer text', () => {
    assert.deepEqual([...VENDOR_REASON_CODES].sort(), [...TABLE.map(([code]) => code), 'vendor-error'].sort());
    for (const [code, texts] of TABLE) {
      for (const text of texts) {
        assert.equal(vendorReasonCode(text), code, text);
        assert.equal(vendorReasonCode(`  ${text.toUpperCase()}  `), code, text);
        assert.equal(vendorReasonCode(`Error: ${text.toLowerCase()}.`), code, text);
      }
    }
    assert.equal(vendorReasonCode('Can’t connect to e-document service'), 'edocument-unavailable', 'a typographic apostrophe');
  });

  it('map anything else to vendor-error', () => {
    for (const text of ['', 'invalid_otp', 'emulated_failure', 'Subject found', 'IIN', undefined, 42, null]) {
      assert.equal(vendorReasonCode(text), 'vendor-error', String(text));
    }
  });

  it('summarise raw failure reasons: strings, technology-prefixed strings and objects, at most 32, without empty ones', () => {
    assert.deepEqual(failureReasonsOf(['Invalid IIN', 'F2F: Profile is not found', 'XYZ: other', { code: 'LD', message: 'spoof' }, { technology: 'ED' }, '', null]), [
      { code: 'invalid-iin', text: 'Invalid IIN' },
      { code: 'profile-not-found', technology: 'F2F', text: 'Profile is not found' },
      { code: 'vendor-error', text: 'XYZ: other' },
      { code: 'vendor-error', technology: 'LD', text: 'spoof' },
    ]);
    assert.equal(failureReasonsOf(Array.from({ length: 100 }, (_, i) => `reason ${i}`)).length, 32);
    assert.equal(failureReasonsOf(['x'.repeat(10_000)])[0]!.text.length, 500);
    assert.deepEqual(failureReasonsOf('Invalid IIN'), []);
    assert.deepEqual(summarizeResult({ status: 'FINISHED', flow_session_result: true }), { flow_session_result: true, failure_reasons: [] });
  });

  it('read the text of an error body: detail, message, error, a JSON string, or short plain text', () => {
    assert.equal(vendorErrorText('{"detail":"Invalid IIN"}'), 'Invalid IIN');
    assert.equal(vendorErrorText('{"message":"Profile is not found","detail":7}'), 'Profile is not found');
    assert.equal(vendorErrorText('"Government service error"'), 'Government service error');
    assert.equal(vendorErrorText('Government service error\n'), 'Government service error');
    assert.equal(vendorErrorText('<html><body>Invalid IIN</body></html>'), undefined);
    assert.equal(vendorErrorText('{"detail":{"nested":true}}'), undefined);
    assert.equal(vendorErrorText(`{"detail":"${'x'.repeat(70_000)}"}`), undefined, 'a body over 64 KiB is not parsed');
    assert.equal(vendorErrorText(`{"detail":"${'x'.repeat(5_000)}"}`)!.length, 500);
  });
});
