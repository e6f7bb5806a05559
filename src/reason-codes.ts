/**
 * Why a verification failed, as stable codes a person can act on, and per code who can fix it, whether
 * trying again can help, and the next step when it cannot. One list for the server (`failure_reasons[].code`
 * of the status summary, the webhook's verdict and the ledger) and the element (its failed view). The
 * vendor's error texts (docs/vendor.md §6) keep their codes; the flow's own failure types and details
 * (§8) add theirs. Browser-safe, no imports but the vendor's codes.
 *
 * Spoof-like reasons ("Mask Attack", "Incorrect image hash") get `check-failed`, the code of a failed
 * check with nothing to coach: telling the person what the check caught would tell an attacker too.
 *
 * @module
 */
import { VENDOR_REASON_CODES } from './vendor-reason-codes.js';

/**
 * Every reason code: the vendor's error codes, then the flow's failure reasons, then the generic ones
 * (`check-failed`: a check did not pass and says nothing a person can use; `vendor-error`: anything not
 * known) last.
 */
export const REASON_CODES = [
  ...VENDOR_REASON_CODES.filter((code): code is Exclude<(typeof VENDOR_REASON_CODES)[number], 'vendor-error'> => code !== 'vendor-error'),
  'flow-aborted',
  'flow-timeout',
  'camera-unavailable',
  'eyes-closed',
  'poor-lighting',
  'mask-on',
  'liveness-low-score',
  'sms-code-wrong',
  'service-error',
  'request-error',
  'check-failed',
  'vendor-error',
] as const;

/** A stable reason code. */
export type ReasonCode = (typeof REASON_CODES)[number];

/** Who can fix a reason: the person (on a new try), the site (its settings or data), or nobody now (a service is down). */
export type ReasonFixer = 'person' | 'site' | 'nobody-now';

/**
 * What to do when trying again cannot help: register the phone in the mobile-citizens database, sign up
 * with eGov, come back later, or contact the site.
 */
export type ReasonNextStep = 'register-phone' | 'register-egov' | 'come-back-later' | 'contact-site';

/** What a reason means for the person. */
export interface ReasonAdvice {
  /** Who can fix it. */
  readonly fixer: ReasonFixer;
  /** Whether a new try now can help (show "Try again" only then). */
  readonly retry: boolean;
  /** The next step, for a reason a new try cannot fix. */
  readonly next?: ReasonNextStep;
}

const PERSON_RETRY: ReasonAdvice = { fixer: 'person', retry: true };
const LATER: ReasonAdvice = { fixer: 'nobody-now', retry: false, next: 'come-back-later' };
const SITE: ReasonAdvice = { fixer: 'site', retry: false, next: 'contact-site' };

/** The advice of each code. */
export const REASON_ADVICE: Readonly<Record<ReasonCode, ReasonAdvice>> = {
  // No record for this IIN and phone in the mobile-citizens database: registering the phone fixes it.
  'subject-not-found': { fixer: 'person', retry: false, next: 'register-phone' },
  'edocument-unavailable': LATER,
  // eGov did not answer in time: it is down or overloaded, an immediate retry meets the same.
  'edocument-timeout': LATER,
  'government-service-error': LATER,
  'profile-not-found': { fixer: 'person', retry: false, next: 'register-egov' },
  // The flow checks the IIN's form before sending it; an IIN the vendor still refuses is most often one the
  // site filled in, and a new try sends the same one.
  'invalid-iin': SITE,
  'session-already-used': PERSON_RETRY,
  'edocument-not-requested': PERSON_RETRY,
  'subscription-inactive': SITE,
  'flow-aborted': PERSON_RETRY,
  'flow-timeout': PERSON_RETRY,
  'camera-unavailable': PERSON_RETRY,
  'eyes-closed': PERSON_RETRY,
  'poor-lighting': PERSON_RETRY,
  'mask-on': PERSON_RETRY,
  'liveness-low-score': PERSON_RETRY,
  'sms-code-wrong': PERSON_RETRY,
  'service-error': LATER,
  'request-error': SITE,
  'check-failed': PERSON_RETRY,
  'vendor-error': PERSON_RETRY,
};

const KNOWN: ReadonlySet<string> = new Set(REASON_CODES);

/** @returns whether `value` is a {@link ReasonCode}. */
export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && KNOWN.has(value);
}

/** What a verdict's reasons, together, mean for the person. */
export interface CombinedAdvice {
  /** Whether "Try again" can help: no reason says it cannot. */
  retry: boolean;
  /** The next steps of the reasons a new try cannot fix, each once, in the reasons' order. */
  next: ReasonNextStep[];
}

/**
 * The advice of a failed verification's reasons (`failure_reasons[].code`); a code that is not known
 * counts as `vendor-error`.
 *
 * @returns `{ retry, next }`; `{ retry: true, next: [] }` for no reasons.
 */
export function combinedAdvice(codes: readonly unknown[]): CombinedAdvice {
  const advice = codes.map((code) => REASON_ADVICE[isReasonCode(code) ? code : 'vendor-error']);
  const next = advice.flatMap((item) => (item.next ? [item.next] : []));
  return { retry: advice.every((item) => item.retry), next: [...new Set(next)] };
}
