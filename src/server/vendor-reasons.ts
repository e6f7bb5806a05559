/**
 * The vendor's error texts (docs/vendor.md §6) as stable codes. The vendor answers errors and failure reasons
 * as English sentences; hosts and the element act on these codes instead.
 *
 * @module
 */
import { VENDOR_REASON_CODES } from '../vendor-reason-codes.js';
import { TECHNOLOGY_CODES } from './metadata.js';

export { VENDOR_REASON_CODES };

/** A stable code for a vendor error text. */
export type VendorReasonCode = (typeof VENDOR_REASON_CODES)[number];

/** One reason a session failed, as the status summary reports it. */
export interface FailureReason {
  /** The stable code; `vendor-error` for a text that is not known. */
  code: VendorReasonCode;
  /** The technology the reason belongs to (`ED`, `LDHP`...), when the vendor said. */
  technology?: string;
  /** The vendor's text, as sent (trimmed, at most 500 characters). */
  text: string;
}

/** The texts of each code, lower case; a text containing one of them has that code. */
const KNOWN_TEXTS: readonly (readonly [VendorReasonCode, readonly string[]])[] = [
  ['subject-not-found', ['subject not found in mcdb']],
  ['edocument-unavailable', ["can't connect to e-document service", 'edocument service is not available now']],
  ['edocument-timeout', ['could not send request to e-document service']],
  ['government-service-error', ['government service error']],
  ['profile-not-found', ['profile is not found']],
  ['invalid-iin', ['invalid iin']],
  [
    'session-already-used',
    ['edocument for this session has already been received', 'you have already requested a document for this session'],
  ],
  ['edocument-not-requested', ['you have not sent a request for access to an e-document']],
  [
    'subscription-inactive',
    [
      'client does not have access to e-document technology',
      'subscription has not started',
      'no active or future subscription for technology',
      'client does not have subscription',
    ],
  ],
];

/** English messages for error answers: fixed texts, so no vendor sentence reaches a browser unread. */
export const VENDOR_REASON_MESSAGES: Record<VendorReasonCode, string> = {
  'subject-not-found': 'The mobile-citizens database has no record for this IIN and phone',
  'edocument-unavailable': 'The e-document service is not available now',
  'edocument-timeout': 'The e-document service did not answer in time',
  'government-service-error': 'The government service failed',
  'profile-not-found': 'This person has no eGov profile',
  'invalid-iin': 'The IIN is invalid',
  'session-already-used': 'This session was already used: start again',
  'edocument-not-requested': 'The SMS step was skipped: start again',
  'subscription-inactive': "The identity service account cannot run this flow (the host's subscription)",
  'vendor-error': 'The identity service failed',
};

/** Longest text matched or kept, in characters. */
export const MAX_REASON_TEXT_LENGTH = 500;

/**
 * The stable code of a vendor text: matched case-insensitively, trimmed, anywhere in the text.
 *
 * @returns the code, `vendor-error` for an unknown text or a non-string.
 */
export function vendorReasonCode(text: unknown): VendorReasonCode {
  if (typeof text !== 'string') return 'vendor-error';
  const normal = text.trim().slice(0, MAX_REASON_TEXT_LENGTH * 2).toLowerCase().replace(/[’‘]/g, "'");
  for (const [code, texts] of KNOWN_TEXTS) {
    if (texts.some((known) => normal.includes(known))) return code;
  }
  return 'vendor-error';
}

const KNOWN_TECHNOLOGIES: ReadonlySet<string> = new Set(TECHNOLOGY_CODES);
const TECHNOLOGY_PATTERN = /^[A-Z][A-Z0-9_]{0,31}$/;
const TEXT_FIELDS = ['text', 'detail', 'message', 'reason', 'failure_reason', 'description'] as const;
const TECHNOLOGY_FIELDS = ['technology', 'technology_code', 'code'] as const;
/** Most failure reasons summarised. */
const MAX_REASONS = 32;

function bounded(text: string): string {
  return text.trim().slice(0, MAX_REASON_TEXT_LENGTH);
}

/**
 * One raw failure reason as a {@link FailureReason}: a string (`"ED: invalid_otp"` keeps `ED` as the
 * technology when it is a documented code), or an object with a text (`text`, `detail`, `message`,
 * `reason`, `failure_reason`) and maybe a technology code (`technology`, `technology_code`, `code`).
 *
 * @returns the reason, or `undefined` for one without any text.
 */
export function failureReasonOf(raw: unknown): FailureReason | undefined {
  if (typeof raw === 'string') {
    const prefixed = /^([A-Z][A-Z0-9_]{0,31})\s*:\s*(.+)$/s.exec(raw.trim());
    if (prefixed && KNOWN_TECHNOLOGIES.has(prefixed[1]!)) {
      const text = bounded(prefixed[2]!);
      return { code: vendorReasonCode(text), technology: prefixed[1]!, text };
    }
    const text = bounded(raw);
    return text === '' ? undefined : { code: vendorReasonCode(text), text };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  const found = TEXT_FIELDS.map((field) => record[field]).find((value) => typeof value === 'string' && value.trim() !== '');
  if (typeof found !== 'string') return undefined;
  const text = bounded(found);
  const technology = TECHNOLOGY_FIELDS.map((field) => record[field]).find(
    (value) => typeof value === 'string' && TECHNOLOGY_PATTERN.test(value),
  );
  return typeof technology === 'string' ? { code: vendorReasonCode(text), technology, text } : { code: vendorReasonCode(text), text };
}

/**
 * The vendor's `flow_session_failure_reasons` as {@link FailureReason}s (at most 32; reasons without
 * text are left out).
 *
 * @returns the reasons, `[]` for anything that is not an array.
 */
export function failureReasonsOf(raw: unknown): FailureReason[] {
  if (!Array.isArray(raw)) return [];
  const reasons: FailureReason[] = [];
  for (const item of raw) {
    const reason = failureReasonOf(item);
    if (reason) reasons.push(reason);
    if (reasons.length === MAX_REASONS) break;
  }
  return reasons;
}

/**
 * The text of a vendor error answer: `{ detail }` (or `message`, `error`) when the body is JSON, else the
 * body itself when it is short plain text. Bodies over 64 KiB are not parsed.
 *
 * @returns the text (at most 500 characters), or `undefined` when there is none.
 */
export function vendorErrorText(body: string): string | undefined {
  if (body.length > 64 * 1024) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const plain = body.trim();
    return plain !== '' && plain.length <= MAX_REASON_TEXT_LENGTH && !plain.startsWith('<') ? plain : undefined;
  }
  if (typeof json === 'string') return bounded(json) || undefined;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  for (const field of ['detail', 'message', 'error'] as const) {
    const value = record[field];
    if (typeof value === 'string' && value.trim() !== '') return bounded(value);
  }
  return undefined;
}
