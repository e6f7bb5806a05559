// Everything that crosses into the element from outside is parsed here, with zod/mini to keep the
// browser bundle small.
import * as z from 'zod/mini';

/** A session id, as it must be before it goes into a URL: 8-4-4-4-12 hex digits, nothing else. */
export const sessionIdSchema = z.guid();

/** A technology code such as `LDHP` or `F2F`; unknown codes pass through as long as they look like codes. */
export const technologyCodeSchema = z.string().check(z.regex(/^[A-Z][A-Z0-9_]*$/), z.maxLength(32));

/** The host session endpoint's answer. Extra fields are allowed and ignored. */
export const sessionResponseSchema = z.object({
  session_id: sessionIdSchema,
  technologies: z.array(technologyCodeSchema).check(z.maxLength(64)),
});

const shortString = z.string().check(z.maxLength(2048));

/**
 * A message from the flow that the element accepts: a short string, or a plain object whose
 * well-known fields, when present, are short strings. Anything else is ignored.
 */
export const flowMessageSchema = z.union([
  shortString,
  z.looseObject({
    event: z.optional(shortString),
    type: z.optional(shortString),
    name: z.optional(shortString),
    url: z.optional(shortString),
    href: z.optional(shortString),
    session_id: z.optional(shortString),
    status: z.optional(shortString),
    technology_code: z.optional(shortString),
  }),
]);

export type FlowMessage = z.infer<typeof flowMessageSchema>;

/**
 * The accepted form of a message's data, or `undefined`. Objects must be plain (`Object.prototype` or no
 * prototype): a Blob, Map or Date would otherwise pass as an object whose fields zod reads from the
 * prototype — a Blob of type "finished" would end the flow.
 */
export function parseFlowMessage(data: unknown): FlowMessage | undefined {
  if (typeof data === 'object' && data !== null) {
    const prototype = Object.getPrototypeOf(data);
    if (prototype !== Object.prototype && prototype !== null) return undefined;
  }
  const parsed = flowMessageSchema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/** The host status endpoint's answer. */
export const statusResponseSchema = z.object({
  session_id: sessionIdSchema,
  status: z.string().check(z.minLength(1), z.maxLength(64)),
  result: z.optional(z.unknown()),
});

export type StatusResponse = z.infer<typeof statusResponseSchema>;
