/**
 * Webhook envelopes (docs/vendor.md §5). The vendor signs nothing: anyone can POST a look-alike, so treat an
 * event as a hint and take the verdict from `getSessionResult`.
 *
 * @module
 */
import { z } from 'zod';
import { formatIssues, sessionIdSchema, technologyCodeSchema } from './metadata.js';
import type { FormattedIssue } from './metadata.js';

/** The documented webhook events. Others pass through as {@link UnknownWebhookEvent}. */
export const WEBHOOK_EVENT_NAMES = ['flow.start', 'technology.start', 'technology.end', 'flow.end'] as const;

/** One of the documented webhook event names. */
export type KnownWebhookEventName = (typeof WEBHOOK_EVENT_NAMES)[number];

/**
 * The envelope every event shares: `{ id, event, session_id, created, success, flow_name, metadata, data }`.
 * `id`, `event`, `session_id` and `created` (unix seconds) are required; the rest is optional because
 * the documentation shows examples, not a contract. Extra fields pass through.
 */
export const webhookEnvelopeSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]),
  event: z.string().min(1),
  session_id: sessionIdSchema,
  created: z.number().nonnegative(),
  success: z.boolean().optional(),
  flow_name: z.string().optional(),
  metadata: z.unknown().optional(),
  data: z.unknown().optional(),
});

const flowStartSchema = webhookEnvelopeSchema.extend({
  event: z.literal('flow.start'),
  data: z.looseObject({ technologies: z.array(z.unknown()).optional() }),
});

const technologyStartSchema = webhookEnvelopeSchema.extend({
  event: z.literal('technology.start'),
  data: z.looseObject({ technology_code: technologyCodeSchema, technology_name: z.string().optional() }),
});

const technologyEndSchema = webhookEnvelopeSchema.extend({
  event: z.literal('technology.end'),
  data: z.looseObject({ technology_code: technologyCodeSchema.optional() }),
});

const flowEndSchema = webhookEnvelopeSchema.extend({
  event: z.literal('flow.end'),
  data: z.looseObject({
    session_result: z.looseObject({
      status: z.string().min(1),
      session_id: sessionIdSchema.optional(),
      flow_session_result: z.boolean().nullish(),
    }),
  }),
});

/** Schemas of the documented events, by name: each is the envelope with a checked `data`. */
export const webhookEventSchemas = {
  'flow.start': flowStartSchema,
  'technology.start': technologyStartSchema,
  'technology.end': technologyEndSchema,
  'flow.end': flowEndSchema,
} as const;

/** `flow.start`: `data.technologies`. */
export type FlowStartEvent = z.infer<typeof flowStartSchema>;
/** `technology.start`: `data.technology_code`, `data.technology_name`. */
export type TechnologyStartEvent = z.infer<typeof technologyStartSchema>;
/** `technology.end`: the technology's result in `data` (e.g. `liveness_result`). */
export type TechnologyEndEvent = z.infer<typeof technologyEndSchema>;
/** `flow.end`: `data.session_result.status` is `FINISHED` or `FAILED`. */
export type FlowEndEvent = z.infer<typeof flowEndSchema>;
/** An event this version does not know; only the envelope was checked. Tell it apart with {@link isKnownWebhookEvent}. */
export type UnknownWebhookEvent = z.infer<typeof webhookEnvelopeSchema>;
/** Any webhook event. */
export type WebhookEvent = FlowStartEvent | TechnologyStartEvent | TechnologyEndEvent | FlowEndEvent | UnknownWebhookEvent;
/** The documented webhook events. */
export type KnownWebhookEvent = FlowStartEvent | TechnologyStartEvent | TechnologyEndEvent | FlowEndEvent;

/** What {@link parseWebhookEvent} returns. */
export type WebhookParseResult = { success: true; event: WebhookEvent } | { success: false; issues: FormattedIssue[] };

/**
 * Whether an event is one of the documented four (narrows to their union).
 *
 * @returns `true` for `flow.start`, `technology.start`, `technology.end` and `flow.end`.
 */
export function isKnownWebhookEvent(event: WebhookEvent): event is KnownWebhookEvent {
  return (WEBHOOK_EVENT_NAMES as readonly string[]).includes(event.event);
}

/**
 * Validates a webhook body: the parsed JSON, or its raw text. Known events get their `data` checked;
 * unknown event names pass with the envelope checked. It never throws.
 *
 * @returns `{ success: true, event }`, or `{ success: false, issues }` naming the wrong fields
 *   (invalid JSON text is one issue at path `''`).
 */
export function parseWebhookEvent(body: unknown): WebhookParseResult {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { success: false, issues: [{ path: '', message: 'The webhook body is not valid JSON' }] };
    }
  }
  const envelope = webhookEnvelopeSchema.safeParse(value);
  if (!envelope.success) return { success: false, issues: formatIssues(envelope.error) };
  const name = envelope.data.event;
  if (!(WEBHOOK_EVENT_NAMES as readonly string[]).includes(name)) return { success: true, event: envelope.data };
  const known = webhookEventSchemas[name as KnownWebhookEventName].safeParse(value);
  if (!known.success) return { success: false, issues: formatIssues(known.error) };
  return { success: true, event: known.data };
}
