/**
 * `biometric-flow/server`: the host's backend half. It keeps the vendor API key on the server, creates
 * sessions for the `<biometric-flow>` element and reports their status. Web `Request`/`Response` only, so
 * it runs on Node ≥ 20, Bun, Deno and edge workers; `toNodeListener` adapts it to node:http and Express,
 * `fastifyRoutes` to Fastify.
 *
 * @module
 */
export { createSessionHandler, DEFAULT_MAX_BODY_BYTES, DEFAULT_RATE_LIMIT, MAX_JSON_DEPTH, sessionRequestSchema } from './session-handler.js';
export { DEFAULT_BODY_TIMEOUT_MS } from './http.js';
export type { SessionHandlerOptions, SessionMetadataContext, SessionRateLimit } from './session-handler.js';
export type { Locale } from '../i18n/locale.js';
export {
  createStatusHandler,
  DEFAULT_MAX_CONCURRENT_VENDOR_CALLS,
  DEFAULT_MAX_WAIT_MS,
  DEFAULT_QUEUE_TIMEOUT_MS,
  DEFAULT_REUSE_MS,
  summarizeResult,
} from './status-handler.js';
export type { ResultSummary, StatusAnswer, StatusHandlerOptions } from './status-handler.js';
export {
  DEFAULT_TOKEN_TTL_SECONDS,
  issueStatusToken,
  MIN_TOKEN_SECRET_LENGTH,
  STATUS_TOKEN_HEADER,
  TOKEN_SECRET_VARIABLE,
  verifyStatusToken,
} from './status-token.js';
export type { IssueStatusTokenOptions, VerifyStatusTokenOptions } from './status-token.js';
export {
  FAILURE_TYPES,
  failureReasonsOf,
  REASON_CODES,
  reasonCode,
  resultFailureReasons,
  VENDOR_REASON_CODES,
  vendorReasonCode,
} from './vendor-reasons.js';
export type { FailureReason, FailureType, ReasonCode, VendorReasonCode } from './vendor-reasons.js';
export { REASON_ADVICE, combinedAdvice, isReasonCode } from '../reason-codes.js';
export type { CombinedAdvice, ReasonAdvice, ReasonFixer, ReasonNextStep } from '../reason-codes.js';
export { createMemoryStore } from './store.js';
export type { FlowStore, LedgerStore, MemoryStoreOptions } from './store.js';
export {
  createVerdictLedger,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_GRACE_SECONDS,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_SWEEP_CONCURRENCY,
  DEFAULT_SWEEP_INTERVAL_MS,
  MAX_REFERENCE_LENGTH,
} from './verdict-ledger.js';
export type { ReferenceCallback, ReferenceContext } from './reference.js';
export type {
  SessionToRecord,
  SweepReport,
  Verdict,
  VerdictLedger,
  VerdictLedgerOptions,
  VerdictOutcome,
  VerdictReason,
  VerdictRecord,
  VerdictSource,
} from './verdict-ledger.js';
export { createUnstorageStore } from './unstorage-store.js';
export type { UnstorageStoreOptions } from './unstorage-store.js';
export {
  API_BASE_URL_VARIABLE,
  createSession,
  createdSessionSchema,
  DEFAULT_API_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  getSessionResult,
  vendorSessionResultSchema,
} from './vendor.js';
export type { CreatedSession, SessionResult, VendorOptions, VendorSessionResult } from './vendor.js';
export { InvalidMetadataError, VendorError } from './errors.js';
export type { VendorErrorCode } from './errors.js';
export type { ErrorBody, Logger, OriginOptions } from './http.js';
export { createWebhookHandler, DEFAULT_WEBHOOK_BODY_TIMEOUT_MS, DEFAULT_WEBHOOK_MAX_BODY_BYTES } from './webhook-handler.js';
export type { WebhookDelivery, WebhookHandler, WebhookHandlerOptions, WebhookRequestContext, WebhookVerdict } from './webhook-handler.js';
export { createHandoffHandler, DEFAULT_HANDOFF_TTL_SECONDS, HANDOFF_LINK_PARAMETER } from './handoff-handler.js';
export type { HandoffHandlerOptions, HandoffLink } from './handoff-handler.js';
export { toNodeListener } from './node-listener.js';
export type { NodeListenerOptions } from './node-listener.js';
export { fastifyRoutes } from './fastify.js';
export type { FastifyLike, FastifyReplyLike, FastifyRequestLike, FastifyRouteLike, FastifyRouteMethod, FastifyRoutesOptions } from './fastify.js';
export { ALLOWED_ORIGINS_VARIABLE } from './configuration.js';
export {
  formatIssues,
  isValidIin,
  MAX_PHOTO_BASE64_LENGTH,
  sessionIdSchema,
  sessionMetadataSchema,
  TECHNOLOGY_CODES,
  technologyCodeSchema,
} from './metadata.js';
export type { FormattedIssue, KnownTechnologyCode, SessionMetadata } from './metadata.js';
export {
  isKnownWebhookEvent,
  parseWebhookEvent,
  WEBHOOK_EVENT_NAMES,
  webhookEnvelopeSchema,
  webhookEventSchemas,
} from './webhook.js';
export type {
  FlowEndEvent,
  FlowStartEvent,
  KnownWebhookEvent,
  KnownWebhookEventName,
  TechnologyEndEvent,
  TechnologyStartEvent,
  UnknownWebhookEvent,
  WebhookEvent,
  WebhookParseResult,
} from './webhook.js';
export { cspDirectives, mergeContentSecurityPolicy, securityHeaders } from './security-headers.js';
export type { CspDirectives, SecurityHeaders, SecurityHeadersMode, SecurityHeadersOptions } from './security-headers.js';
