import type { FormattedIssue } from './metadata.js';
import type { VendorReasonCode } from './vendor-reasons.js';

/**
 * Why a call to the vendor's API failed. A non-2xx answer whose text is known (docs/vendor.md §6) has that
 * text's stable {@link VendorReasonCode} instead of `vendor-error`.
 */
export type VendorErrorCode =
  | 'vendor-timeout'
  | 'vendor-unreachable'
  | 'vendor-error'
  | 'vendor-invalid-response'
  | 'session-not-found'
  | Exclude<VendorReasonCode, 'vendor-error'>;

/**
 * A failed call to the vendor's API, thrown by `createSession` and `getSessionResult`.
 * Its message and `cause` never contain the API key (the key is redacted from everything the fetch
 * error chain says, including URLs).
 */
export class VendorError extends Error {
  /** What went wrong. */
  readonly code: VendorErrorCode;
  /** The HTTP status a host should answer with: 504 for a timeout, 404 for an unknown session, else 502. */
  readonly status: number;
  /** The vendor's own HTTP status, when it answered. */
  readonly vendorStatus: number | undefined;
  /**
   * The vendor's error text (`detail` of its answer, at most 500 characters), when it sent one. Keep it
   * server-side: it is not a message for people, and an unknown one may say anything.
   */
  readonly vendorText: string | undefined;

  constructor(
    code: VendorErrorCode,
    message: string,
    options: { status: number; vendorStatus?: number; vendorText?: string; cause?: Error },
  ) {
    super(message, options.cause ? { cause: options.cause } : undefined);
    this.name = 'VendorError';
    this.code = code;
    this.status = options.status;
    this.vendorStatus = options.vendorStatus;
    this.vendorText = options.vendorText;
  }
}

/**
 * Session metadata that fails `sessionMetadataSchema`, thrown by `createSession` before anything is sent.
 * It is a host programming error; `issues` name fields and never carry their values.
 */
export class InvalidMetadataError extends Error {
  /** The fields that are wrong and why. */
  readonly issues: FormattedIssue[];

  constructor(issues: FormattedIssue[]) {
    super(`Invalid session metadata at ${issues.map((issue) => issue.path || '(root)').join(', ')}`);
    this.name = 'InvalidMetadataError';
    this.issues = issues;
  }
}

const REDACTED = '[redacted]';

/**
 * Returns a function that removes `secret` from a string in every form it may take in a URL or a body
 * (raw, percent-encoded, form-encoded).
 */
export function createRedactor(secret: string): (text: string) => string {
  const forms = [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ k: secret }).toString().slice(2)])]
    .filter((form) => form.length > 0)
    .sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((result, form) => result.split(form).join(REDACTED), text);
}

/**
 * {@link createRedactor} for an option that may not be a usable key yet (a handler made before its
 * environment is there): nothing to redact then.
 */
export function redactorFor(apiKey: unknown): (text: string) => string {
  return typeof apiKey === 'string' && apiKey.trim() !== '' ? createRedactor(apiKey) : (text) => text;
}

/** Describes an error and its `cause` chain as one line, without stack traces. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current) && parts.length < 5) {
    seen.add(current);
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(`${current.name}: ${current.message}${typeof code === 'string' ? ` (${code})` : ''}`);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(' <- ');
}
