/**
 * The vendor's error texts (docs/vendor.md §6) and the flow's failure reasons (§8) as stable codes. The
 * vendor answers errors and failure reasons as English sentences (a failure reason also with a type);
 * hosts and the element act on these codes instead.
 *
 * @module
 */
import { REASON_CODES, type ReasonCode } from '../reason-codes.js';
import { VENDOR_REASON_CODES } from '../vendor-reason-codes.js';
import { TECHNOLOGY_CODES } from './metadata.js';

export { REASON_CODES, VENDOR_REASON_CODES, type ReasonCode };

/** A stable code for a vendor error text. */
export type VendorReasonCode = (typeof VENDOR_REASON_CODES)[number];

/** One reason a session failed, as the status summary reports it. */
export interface FailureReason {
  /** The stable code (see `REASON_CODES`); `vendor-error` for a text and type that are not known. */
  code: ReasonCode;
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
      'subscription does not have access to technology',
    ],
  ],
];

/**
 * The flow's failure details (docs/vendor.md §8), lower case, matched like {@link KNOWN_TEXTS} after them.
 * "Mask Attack" and "Incorrect image hash" say what caught a spoof: `check-failed`, nothing to coach.
 * "Low prediction" is the liveness score itself, low for bad light or a face half in the frame as much as
 * for a spoof: the general advice every liveness check gives beforehand. A mistyped SMS code and an
 * expired session have no documented text: `invalid_otp` and `session_expired` are the emulator's.
 */
const FLOW_TEXTS: readonly (readonly [ReasonCode, readonly string[]])[] = [
  ['flow-aborted', ['operation aborted by user']],
  ['session-already-used', ['liveness result for this session already exists']],
  ['eyes-closed', ['closed eyes']],
  ['liveness-low-score', ['low prediction', 'low overall prediction']],
  ['mask-on', ['medical mask check failed']],
  ['poor-lighting', ['illumination check failed']],
  ['check-failed', ['mask attack', 'incorrect image hash']],
  ['sms-code-wrong', ['invalid_otp']],
  ['flow-timeout', ['session_expired']],
];

/** The vendor's failure types (docs/vendor.md §8). */
export const FAILURE_TYPES = ['SERVICE_ERROR', 'REQUEST_ERROR', 'CLIENT', 'CALC_RESULT', 'OTHER', 'NO_CAM', 'TIMEOUT'] as const;

/** One of the vendor's failure types. */
export type FailureType = (typeof FAILURE_TYPES)[number];

/**
 * The code of a failure type whose detail is not known. A check that failed (`CALC_RESULT`, `CLIENT`) says
 * nothing a person can use; a service error is the vendor's, a request error the site's; `OTHER` is not known.
 */
const TYPE_CODES: Readonly<Record<FailureType, ReasonCode>> = {
  SERVICE_ERROR: 'service-error',
  REQUEST_ERROR: 'request-error',
  CLIENT: 'check-failed',
  CALC_RESULT: 'check-failed',
  OTHER: 'vendor-error',
  NO_CAM: 'camera-unavailable',
  TIMEOUT: 'flow-timeout',
};

const KNOWN_TYPES: ReadonlySet<string> = new Set(FAILURE_TYPES);

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
  return typeof text === 'string' ? (codeIn(KNOWN_TEXTS, normalText(text)) ?? 'vendor-error') : 'vendor-error';
}

/**
 * The stable code of a failure reason: its text (a vendor error text or a flow failure detail, matched as
 * {@link vendorReasonCode} does) first, then its failure type (`NO_CAM`, `TIMEOUT`...).
 *
 * @returns the code, `vendor-error` when neither is known.
 */
export function reasonCode(text: unknown, type?: unknown): ReasonCode {
  const normal = typeof text === 'string' ? normalText(text) : '';
  const byText = codeIn(KNOWN_TEXTS, normal) ?? codeIn(FLOW_TEXTS, normal);
  if (byText) return byText;
  return typeof type === 'string' && KNOWN_TYPES.has(type) ? TYPE_CODES[type as FailureType] : 'vendor-error';
}

function normalText(text: string): string {
  return text.trim().slice(0, MAX_REASON_TEXT_LENGTH * 2).toLowerCase().replace(/[’‘]/g, "'");
}

function codeIn<Code extends string>(table: readonly (readonly [Code, readonly string[]])[], normal: string): Code | undefined {
  return table.find(([, texts]) => texts.some((known) => normal.includes(known)))?.[0];
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

/** A reason with its code; `technology` only when known, so that no `undefined` field is sent. */
function reasonOf(text: string, technology: string | undefined, type: string | undefined): FailureReason {
  const code = reasonCode(text, type);
  return technology === undefined ? { code, text } : { code, technology, text };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PREFIX = /^([A-Z][A-Z0-9_]{0,31})\s*:\s*(.+)$/s;

/**
 * One raw failure reason as a {@link FailureReason}: a string (`"ED: invalid_otp"` keeps `ED` as the
 * technology when it is a documented code; `"NO_CAM: ..."` a documented failure type), or an object with a
 * text (`text`, `detail`, `message`, `reason`, `failure_reason`, `description`), maybe a failure `type`
 * (itself or in a `failure_reason: { type, detail }` object) and a technology code (`technology`,
 * `technology_code`, `code`).
 *
 * @returns the reason, or `undefined` for one with neither a text nor a known type.
 */
export function failureReasonOf(raw: unknown): FailureReason | undefined {
  if (typeof raw === 'string') {
    let text = raw.trim();
    let technology: string | undefined;
    let type: string | undefined;
    const prefixed = PREFIX.exec(text);
    if (prefixed && KNOWN_TECHNOLOGIES.has(prefixed[1]!)) {
      technology = prefixed[1];
      text = prefixed[2]!;
    }
    const typed = PREFIX.exec(text);
    if (typed && KNOWN_TYPES.has(typed[1]!)) {
      type = typed[1];
      text = typed[2]!;
    } else if (KNOWN_TYPES.has(text)) {
      type = text;
    }
    text = bounded(text);
    return text === '' ? undefined : reasonOf(text, technology, type);
  }
  if (!isRecord(raw)) return undefined;
  const sources = isRecord(raw['failure_reason']) ? [raw, raw['failure_reason']] : [raw];
  const first = (fields: readonly string[], test: (value: string) => boolean) =>
    sources.flatMap((source) => fields.map((field) => source[field])).find((value): value is string => typeof value === 'string' && test(value));
  const type = first(['type'], (value) => KNOWN_TYPES.has(value));
  const found = first(TEXT_FIELDS, (value) => value.trim() !== '') ?? type;
  if (found === undefined) return undefined;
  return reasonOf(bounded(found), first(TECHNOLOGY_FIELDS, (value) => TECHNOLOGY_PATTERN.test(value)), type);
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

/** The technology of each technology result field of a session result; liveness is one of three. */
const RESULT_FIELDS = [
  ['liveness_result', undefined],
  ['edocument_result', 'ED'],
  ['document_recognition_result', 'DR'],
  ['face2face_result', 'F2F'],
] as const;
const LIVENESS_CODES: ReadonlySet<string> = new Set(['LD', 'LDHP', 'LDD']);

/** The liveness technology a result's `technologies` (codes, or objects with `code`) names, if any. */
function livenessOf(technologies: unknown): string | undefined {
  if (!Array.isArray(technologies)) return undefined;
  return technologies
    .map((item: unknown) => (isRecord(item) ? item['code'] : item))
    .find((code): code is string => typeof code === 'string' && LIVENESS_CODES.has(code));
}

/**
 * A session result's failure reasons (a result endpoint answer, or a `flow.end` webhook's
 * `session_result`): its `flow_session_failure_reasons`, with what each technology result's
 * `failure_reason: { type, detail }` adds (docs/vendor.md §8). A typed reason with the text of a listed one
 * gives it its type's code (and technology); one not listed is added (the webhook lists none).
 *
 * @returns at most 32 reasons, `[]` for anything that is not an object.
 */
export function resultFailureReasons(result: unknown): FailureReason[] {
  if (!isRecord(result)) return [];
  const reasons = failureReasonsOf(result['flow_session_failure_reasons']);
  for (const [field, fixed] of RESULT_FIELDS) {
    const value = result[field];
    if (!isRecord(value) || !isRecord(value['failure_reason'])) continue;
    const technology = fixed ?? livenessOf(result['technologies']);
    const typed = failureReasonOf(technology === undefined ? value['failure_reason'] : { ...value['failure_reason'], technology });
    if (!typed) continue;
    const index = reasons.findIndex(
      (reason) =>
        reason.text.toLowerCase() === typed.text.toLowerCase() &&
        (reason.technology === undefined || typed.technology === undefined || reason.technology === typed.technology),
    );
    if (index >= 0) {
      const listed = reasons[index]!;
      const technologyOfBoth = listed.technology ?? typed.technology;
      reasons[index] = technologyOfBoth === undefined ? { code: typed.code, text: listed.text } : { code: typed.code, technology: technologyOfBoth, text: listed.text };
    } else if (reasons.length < MAX_REASONS) {
      reasons.push(typed);
    }
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
