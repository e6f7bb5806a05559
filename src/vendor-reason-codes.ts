/**
 * The vendor's error texts (docs/vendor.md §6) as stable codes, `vendor-error` (anything not known) last: one
 * list for the server, which maps the texts to them, and the element, which has a sentence for each.
 *
 * @module
 */
export const VENDOR_REASON_CODES = [
  'subject-not-found',
  'edocument-unavailable',
  'edocument-timeout',
  'government-service-error',
  'profile-not-found',
  'invalid-iin',
  'session-already-used',
  'edocument-not-requested',
  'subscription-inactive',
  'vendor-error',
] as const;
