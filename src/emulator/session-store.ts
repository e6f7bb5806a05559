/**
 * Sessions and their course: the emulator server is the source of truth for where a session is. The
 * flow page reports what happens (`technology.start`, `technology.end`, `flow.end`); the store accepts
 * only the event that may come next and refuses duplicates and events out of order.
 *
 * Rules (emulator choices where the vendor documents nothing):
 * - A session is claimed by the first `technology.start`, together with the page `attempt` that sent it.
 *   Events from any other attempt are refused (`session_in_progress`), and opening the flow again shows
 *   "already in progress": a session is passed once, in one window. The claiming page keeps its attempt
 *   in a cookie (`flow_attempt`, path `/flow/<id>`): opened again in that browser (a reload of the host
 *   page), it goes on with that attempt where the session is (see `app.ts`).
 * - A technology that ends with `success: false` ends the course: the only event accepted after it is
 *   `flow.end`, and the session is `FAILED`.
 * - An unfinished session expires `ttlMs` after creation. Its result is then `FAILED` with the reason
 *   `session_expired`, and no webhook is sent for it.
 * - `flow.end` may come only when no technology is running; the verdict is computed here, never taken
 *   from the page.
 * - A technology may fail with a vendor error (`vendor_error`, a name of `VENDOR_ERRORS`): its failure
 *   reason, and the session's entry in `flow_session_failure_reasons`, is then the vendor's raw text.
 * - A flow with `failWith` (a name of `FLOW_FAILURES`) fails its sessions at that preset's step even when
 *   the page reports success there; the answer to that `technology.end` says `success: false`, and the
 *   failure reason is the preset's type and detail (the detail, raw, in `flow_session_failure_reasons`).
 * - E-Document fields the host fixed (`changeable: false`) are never sent to the page, so the page
 *   cannot report them; the session's own values are recorded instead.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { SessionMetadata } from '../server/metadata.js';
import type { FailureType } from '../server/vendor-reasons.js';
import { sessionFaults, type ResolvedFaults, type SessionFaults } from './faults.js';
import { FLOW_FAILURES, failingTechnology, type FlowFailureName } from './flow-failures.js';
import type { EmulatorFlow } from './flows.js';
import { VENDOR_ERRORS, type VendorErrorName } from './vendor-errors.js';
import { describeTechnology, resultFieldOf, type ResultField, type TechnologyDescription } from './technologies.js';

/** Where a session is. `expired` is computed from the clock, never stored. */
export type SessionPhase = 'created' | 'in_progress' | 'finished' | 'failed' | 'expired';

/** Vendor-style status of a session result. */
export type SessionStatus = 'PROGRESS' | 'FINISHED' | 'FAILED';

/** What the page tells about a technology that ended. */
export interface TechnologyEndDetails {
  /** E-Document: the IIN and phone the user confirmed. */
  iin?: string | undefined;
  phone?: string | undefined;
  /** Face2Face: what the face was compared with. */
  reference?: 'photo1' | 'document' | 'edocument' | undefined;
}

/** An event reported by the flow page (`POST /flow/:id/events`). */
export type FlowEvent =
  | { type: 'technology.start'; technology_code: string; attempt?: string | undefined }
  | {
      type: 'technology.end';
      technology_code: string;
      success: boolean;
      failure_reason?: string | undefined;
      vendor_error?: VendorErrorName | undefined;
      details?: TechnologyEndDetails | undefined;
      attempt?: string | undefined;
    }
  | { type: 'flow.end'; attempt?: string | undefined };

/** How a technology ended. */
export interface TechnologyOutcome {
  code: string;
  success: boolean;
  /** The page's reason (`invalid_otp`, `emulated_failure`...), or the raw text of a vendor error. */
  failureReason: string | null;
  /** The vendor error the technology failed with, if it was one. */
  vendorError: VendorErrorName | null;
  /** The flow failure preset the technology failed with (its flow's `failWith`), if it was one. */
  flowFailure: FlowFailureName | null;
  details: TechnologyEndDetails;
  endedAt: number;
}

/** A session, as the store keeps it. */
export interface Session {
  readonly id: string;
  readonly flow: EmulatorFlow;
  readonly technologies: readonly string[];
  readonly metadata: SessionMetadata | null;
  readonly createdAt: number;
  /** The session's dice for the faults asked for (see `faults.ts`). */
  readonly faults: SessionFaults;
  phase: Exclude<SessionPhase, 'expired'>;
  /** The page attempt that claimed the session; `null` when claimed by a client that sent none. */
  attempt: string | null | undefined;
  /** Index of the technology that runs, or runs next. */
  index: number;
  /** Whether `technologies[index]` has started and not yet ended. */
  running: boolean;
  outcomes: TechnologyOutcome[];
  endedAt: number | null;
}

/** A read-only copy of a session, for tests and logs. */
export interface SessionSnapshot {
  id: string;
  flowName: string;
  technologies: string[];
  metadata: SessionMetadata | null;
  createdAt: number;
  endedAt: number | null;
  phase: SessionPhase;
  outcomes: TechnologyOutcome[];
}

/** A webhook event the store asks to be sent (docs/vendor.md §5). */
export interface WebhookEventRequest {
  event: 'flow.start' | 'technology.start' | 'technology.end' | 'flow.end';
  success: boolean;
  data: Record<string, unknown>;
}

/** Why an event was refused; `status` is the HTTP status to answer with. */
export interface EventRefusal {
  ok: false;
  status: 404 | 409 | 410;
  code: 'session_not_found' | 'session_expired' | 'session_finished' | 'session_in_progress' | 'out_of_order';
  detail: string;
}

/** An accepted event, with the webhooks it causes. */
export interface EventAcceptance {
  ok: true;
  session: Session;
  webhooks: WebhookEventRequest[];
}

export interface SessionStoreOptions {
  ttlMs: number;
  /** How long after its end a session's result is `{}` ("still processing"). */
  resultDelayMs: number;
  faults: ResolvedFaults;
  now: () => number;
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #options: SessionStoreOptions;
  /** Sessions created so far: the serial of the next one, which picks its fault dice. */
  #created = 0;

  constructor(options: SessionStoreOptions) {
    this.#options = options;
  }

  /** @returns a new session of `flow`, in phase `created`. */
  create(flow: EmulatorFlow, metadata: SessionMetadata | null): Session {
    const session: Session = {
      id: randomUUID(),
      flow,
      technologies: [...flow.technologies],
      metadata,
      createdAt: this.#options.now(),
      faults: sessionFaults(this.#options.faults, this.#created++),
      phase: 'created',
      attempt: undefined,
      index: 0,
      running: false,
      outcomes: [],
      endedAt: null,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** @returns the session with this id, expired or not. */
  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** @returns the phase of a session, `expired` included. */
  phaseOf(session: Session): SessionPhase {
    if ((session.phase === 'created' || session.phase === 'in_progress') && this.#isPastTtl(session)) return 'expired';
    return session.phase;
  }

  /** @returns a copy of the session for inspection. */
  snapshot(session: Session): SessionSnapshot {
    return {
      id: session.id,
      flowName: session.flow.name,
      technologies: [...session.technologies],
      metadata: session.metadata,
      createdAt: session.createdAt,
      endedAt: session.endedAt,
      phase: this.phaseOf(session),
      outcomes: session.outcomes.map((outcome) => ({ ...outcome, details: { ...outcome.details } })),
    };
  }

  /** @returns snapshots of every session, oldest first. */
  list(): SessionSnapshot[] {
    return [...this.#sessions.values()].map((session) => this.snapshot(session));
  }

  /** Forgets sessions created more than `retainMs` ago, so a long-running demo does not grow forever. */
  sweep(retainMs: number): void {
    const limit = this.#options.now() - retainMs;
    for (const [id, session] of this.#sessions) {
      if (session.createdAt < limit) this.#sessions.delete(id);
    }
  }

  /**
   * Applies an event from the flow page.
   *
   * @returns the acceptance with the webhooks to send, or why the event was refused.
   */
  apply(id: string, event: FlowEvent): EventAcceptance | EventRefusal {
    const session = this.#sessions.get(id);
    if (!session) return refuse(404, 'session_not_found', 'Session not found.');
    const phase = this.phaseOf(session);
    if (phase === 'expired') return refuse(410, 'session_expired', 'Session expired.');
    if (phase === 'finished' || phase === 'failed') {
      return refuse(409, 'session_finished', 'This session was already used.');
    }
    const attempt = event.attempt ?? null;
    if (session.attempt !== undefined && session.attempt !== attempt) {
      return refuse(409, 'session_in_progress', 'This session is already in progress in another window.');
    }

    const expected = this.#expected(session);
    const got = event.type === 'flow.end' ? 'flow.end' : `${event.type} ${event.technology_code}`;
    if (got !== expected) return refuse(409, 'out_of_order', `Expected ${expected}, got ${got}.`);

    const now = this.#options.now();
    const webhooks: WebhookEventRequest[] = [];
    switch (event.type) {
      case 'technology.start': {
        if (session.phase === 'created') {
          session.phase = 'in_progress';
          session.attempt = attempt;
          webhooks.push({ event: 'flow.start', success: true, data: { technologies: [...session.technologies] } });
        }
        session.running = true;
        webhooks.push({
          event: 'technology.start',
          success: true,
          data: { technology_code: event.technology_code, technology_name: describeTechnology(event.technology_code).name },
        });
        break;
      }
      case 'technology.end': {
        const vendorError = event.success ? null : (event.vendor_error ?? null);
        const failWith = session.flow.failWith;
        const flowFailure =
          event.success && failWith && failingTechnology(failWith, session.technologies) === event.technology_code ? failWith : null;
        const success = event.success && !flowFailure;
        const outcome: TechnologyOutcome = {
          code: event.technology_code,
          success,
          failureReason: success
            ? null
            : flowFailure
              ? FLOW_FAILURES[flowFailure].detail
              : vendorError
                ? VENDOR_ERRORS[vendorError].text
                : (event.failure_reason ?? 'technology_failed'),
          vendorError,
          flowFailure,
          details: { ...event.details, ...(event.technology_code === 'ED' ? fixedEdocumentDetails(session.metadata) : {}) },
          endedAt: now,
        };
        session.outcomes.push(outcome);
        session.running = false;
        session.index += 1;
        const field = resultFieldOf(outcome.code);
        webhooks.push({
          event: 'technology.end',
          success: outcome.success,
          data: {
            technology_code: outcome.code,
            technology_name: describeTechnology(outcome.code).name,
            ...(field
              ? { [field]: technologyResult(session, outcome) }
              : { result: { result: outcome.success, failure_reason: outcome.failureReason } }),
          },
        });
        break;
      }
      case 'flow.end': {
        const success =
          session.outcomes.length === session.technologies.length && session.outcomes.every((o) => o.success);
        session.phase = success ? 'finished' : 'failed';
        session.endedAt = now;
        webhooks.push({ event: 'flow.end', success, data: { session_result: this.#webhookResult(session) } });
        break;
      }
    }
    return { ok: true, session, webhooks };
  }

  /**
   * The body of the result endpoint (docs/vendor.md §5): `PROGRESS` before and during the flow, `{}` after
   * its end until {@link resultReadyAt}, then `FINISHED` or `FAILED` with every result.
   */
  result(session: Session): Record<string, unknown> {
    const readyAt = this.resultReadyAt(session);
    if (readyAt !== null && this.#options.now() < readyAt) return {};
    return this.#fullResult(session);
  }

  /**
   * When an ended session's result turns final: `resultDelayMs` after its end, or, for a session the
   * `finishAfterExpiry` fault chose, `finishAfterExpiryMs` after its expiry if that is later.
   *
   * @returns the time in ms since the epoch, or `null` while the session has not ended.
   */
  resultReadyAt(session: Session): number | null {
    if (session.endedAt === null) return null;
    const lagged = session.endedAt + this.#options.resultDelayMs;
    if (!session.faults.finishAfterExpiry) return lagged;
    return Math.max(lagged, session.createdAt + this.#options.ttlMs + this.#options.faults.finishAfterExpiryMs);
  }

  /** @returns the status the result endpoint reports for a session. */
  statusOf(session: Session): SessionStatus {
    const phase = this.phaseOf(session);
    if (phase === 'finished') return 'FINISHED';
    if (phase === 'failed' || phase === 'expired') return 'FAILED';
    return 'PROGRESS';
  }

  #fullResult(session: Session): Record<string, unknown> {
    const phase = this.phaseOf(session);
    const status = this.statusOf(session);
    const reasons =
      phase === 'expired'
        ? ['session_expired']
        : session.outcomes.flatMap((o) => {
            if (o.failureReason === null) return [];
            // A vendor text stays raw, as the vendor sends it; the emulator's own reasons name their step.
            return [o.vendorError || o.flowFailure ? o.failureReason : `${o.code}: ${o.failureReason}`];
          });
    if (phase === 'failed' && reasons.length === 0) reasons.push('flow_not_completed');
    const results: Record<ResultField, unknown> = {
      liveness_result: null,
      edocument_result: null,
      face2face_result: null,
      document_recognition_result: null,
    };
    for (const outcome of session.outcomes) {
      const field = resultFieldOf(outcome.code);
      if (field) results[field] = technologyResult(session, outcome);
    }
    const technologies: TechnologyDescription[] = session.technologies.map(describeTechnology);
    return {
      id: session.id,
      session_id: session.id,
      status,
      flow_name: session.flow.name,
      created_at: new Date(session.createdAt).toISOString(),
      finished_at: session.endedAt === null ? null : new Date(session.endedAt).toISOString(),
      flow_session_result: status === 'PROGRESS' ? null : status === 'FINISHED',
      flow_session_failure_reasons: reasons,
      technologies,
      ...results,
    };
  }

  /**
   * A `flow.end` webhook's `session_result`, shaped as the guide's example (docs/vendor.md §8): the status,
   * the session, its technologies, the result of each technology that ran (with its `failure_reason`
   * `{ type, detail }`) and `flow_session_result`; the failure reasons as text only in the result.
   */
  #webhookResult(session: Session): Record<string, unknown> {
    const status = this.statusOf(session);
    const results: Record<string, unknown> = {};
    for (const outcome of session.outcomes) {
      const field = resultFieldOf(outcome.code);
      if (field) results[field] = technologyResult(session, outcome);
    }
    return {
      status,
      session_id: session.id,
      technologies: session.technologies.map(describeTechnology),
      ...results,
      flow_session_result: status === 'FINISHED',
    };
  }

  #expected(session: Session): string {
    const code = session.technologies[session.index];
    if (session.running) return `technology.end ${code}`;
    const failed = session.outcomes.some((o) => !o.success);
    if (failed || code === undefined) return 'flow.end';
    return `technology.start ${code}`;
  }

  #isPastTtl(session: Session): boolean {
    return this.#options.now() - session.createdAt >= this.#options.ttlMs;
  }
}

/** The E-Document fields the host fixed: the page shows them masked and reports nothing for them. */
function fixedEdocumentDetails(metadata: SessionMetadata | null): TechnologyEndDetails {
  const edocument = metadata?.edocument;
  const details: TechnologyEndDetails = {};
  if (edocument?.iin?.changeable === false && edocument.iin.value) details.iin = edocument.iin.value;
  if (edocument?.phone?.changeable === false && edocument.phone.value) details.phone = edocument.phone.value;
  return details;
}

function refuse(status: EventRefusal['status'], code: EventRefusal['code'], detail: string): EventRefusal {
  return { ok: false, status, code, detail };
}

/**
 * The failure type of a technology that failed: the guide names the types but not which failure has
 * which, so these are the emulator's reading. A flow failure preset has its own; a vendor error is the
 * service's (5xx, 424) or the request's (4xx); a refused or missing camera `NO_CAM`; an emulated low score
 * `CALC_RESULT`; a wrong SMS code the person's (`CLIENT`); anything else `OTHER`.
 */
function failureTypeOf(outcome: TechnologyOutcome): FailureType {
  if (outcome.flowFailure) return FLOW_FAILURES[outcome.flowFailure].type;
  if (outcome.vendorError) {
    const { status } = VENDOR_ERRORS[outcome.vendorError];
    return status >= 500 || status === 424 ? 'SERVICE_ERROR' : 'REQUEST_ERROR';
  }
  switch (outcome.failureReason) {
    case 'camera_denied':
    case 'camera_unavailable':
      return 'NO_CAM';
    case 'emulated_failure':
      return 'CALC_RESULT';
    case 'invalid_otp':
      return 'CLIENT';
    default:
      return 'OTHER';
  }
}

/** A plausible result object for one technology; numbers are fixed so tests can rely on them. */
function technologyResult(session: Session, outcome: TechnologyOutcome): Record<string, unknown> {
  const base = {
    result: outcome.success,
    failure_reason: outcome.failureReason === null ? null : { type: failureTypeOf(outcome), detail: outcome.failureReason },
  };
  switch (resultFieldOf(outcome.code)) {
    case 'liveness_result':
      return { ...base, prediction: outcome.success ? 0.97 : 0.08 };
    case 'edocument_result': {
      const fallback = session.metadata?.edocument;
      return {
        ...base,
        iin: outcome.details.iin ?? fallback?.iin?.value ?? null,
        phone: outcome.details.phone ?? fallback?.phone?.value ?? null,
        documents: outcome.success ? [{ type: 'IDENTITY_CARD', source: 'eGov (emulated)' }] : [],
      };
    }
    case 'face2face_result':
      return {
        ...base,
        similarity: outcome.success ? 0.93 : 0.21,
        compared_with: outcome.details.reference ?? (session.metadata?.face2face?.photo1 ? 'photo1' : null),
      };
    case 'document_recognition_result':
      return { ...base, document_type: outcome.success ? 'KZ_ID_CARD' : null, fields: {} };
    default:
      return base;
  }
}
