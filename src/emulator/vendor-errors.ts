/**
 * The vendor's error strings that integrators report (docs/vendor.md §6), each with the HTTP status it comes
 * with and the stable code `biometric-flow/server` maps it to. The emulator produces them on demand: a
 * flow's `createError` / `resultError`, and the flow page's "fail with" control for a step.
 *
 * A name is the stable code for the first text of its group, and a name of its own for the others, so
 * `createError: 'subscription-inactive'` reads as what it does.
 *
 * @module
 */

/** One vendor error: the status and the raw text (`{ detail: text }`), exactly as the vendor sends them. */
export interface VendorErrorSpec {
  status: 400 | 404 | 424 | 503 | 504;
  text: string;
  /** The stable code `biometric-flow/server` gives this text (`VendorReasonCode`). */
  code: string;
}

/** Every vendor error text the emulator can produce, by name; eGov errors first, then account errors. */
export const VENDOR_ERRORS = Object.freeze({
  'subject-not-found': { status: 404, text: 'Subject not found in MCDB', code: 'subject-not-found' },
  'edocument-unavailable': { status: 503, text: "Can't connect to e-document service", code: 'edocument-unavailable' },
  'edocument-unavailable-now': {
    status: 503,
    text: 'EDocument service is not available now',
    code: 'edocument-unavailable',
  },
  'edocument-timeout': { status: 504, text: 'Could not send request to e-document service', code: 'edocument-timeout' },
  'government-service-error': { status: 424, text: 'Government service error', code: 'government-service-error' },
  'profile-not-found': { status: 404, text: 'Profile is not found', code: 'profile-not-found' },
  'invalid-iin': { status: 400, text: 'Invalid IIN', code: 'invalid-iin' },
  'session-already-used': {
    status: 400,
    text: 'EDocument for this session has already been received',
    code: 'session-already-used',
  },
  'session-already-requested': {
    status: 400,
    text: 'You have already requested a document for this session',
    code: 'session-already-used',
  },
  'edocument-not-requested': {
    status: 400,
    text: 'You have not sent a request for access to an e-document',
    code: 'edocument-not-requested',
  },
  'subscription-inactive': {
    status: 400,
    text: 'Client does not have access to E-Document technology',
    code: 'subscription-inactive',
  },
  'subscription-not-started': { status: 400, text: 'Subscription has not started', code: 'subscription-inactive' },
  'subscription-none-active': {
    status: 400,
    text: 'No active or future subscription for technology',
    code: 'subscription-inactive',
  },
  'subscription-missing': { status: 400, text: 'Client does not have subscription', code: 'subscription-inactive' },
} as const satisfies Record<string, VendorErrorSpec>);

/** The name of a vendor error the emulator can produce. */
export type VendorErrorName = keyof typeof VENDOR_ERRORS;

/** Every {@link VendorErrorName}, in the order of {@link VENDOR_ERRORS}. */
export const VENDOR_ERROR_NAMES = Object.freeze(Object.keys(VENDOR_ERRORS)) as readonly [
  VendorErrorName,
  ...VendorErrorName[],
];
