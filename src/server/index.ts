/**
 * `biometric-flow/server`: the host's backend half. It keeps the vendor API key on the server, creates
 * sessions for the `<biometric-flow>` element and reports their status. Web `Request`/`Response` only, so
 * it runs on Node ≥ 20, Bun, Deno and edge workers; `toNodeListener` adapts it to node:http and Express.
 *
 * @module
 */
export { createSessionHandler, DEFAULT_MAX_BODY_BYTES, MAX_JSON_DEPTH, sessionRequestSchema } from './session-handler.js';
export type { Locale, SessionHandlerOptions, SessionMetadataContext } from './session-handler.js';
export { createStatusHandler, summarizeResult } from './status-handler.js';
export type { StatusAnswer, StatusHandlerOptions } from './status-handler.js';
export {
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
export { createWebhookHandler, DEFAULT_WEBHOOK_MAX_BODY_BYTES } from './webhook-handler.js';
export type { WebhookDelivery, WebhookHandler, WebhookHandlerOptions, WebhookRequestContext, WebhookVerdict } from './webhook-handler.js';
export { toNodeListener } from './node-listener.js';
export type { NodeListenerOptions } from './node-listener.js';
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
