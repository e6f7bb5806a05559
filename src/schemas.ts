// Everything that crosses into the element from outside is parsed here, with zod/mini to keep the
// browser bundle small. Only `z.string`, `z.object`, `z.array`, `z.optional`, `z.unknown` and regex
// checks are used: each other kind of schema or check (`z.guid`, `z.union`, `z.maxLength`...) brings
// its own code into every page that loads the element, 100 to 400 bytes gzipped each.
import * as z from 'zod/mini';

/** A string of `min` to `max` UTF-16 code units, any characters (`[^]` matches newlines too). */
const ofLength = (min: number, max: number) => z.string().check(z.regex(new RegExp(`^[^]{${min},${max}}$`)));

/** A session id, as it must be before it goes into a URL: 8-4-4-4-12 hex digits, nothing else. */
export const sessionIdSchema = z
  .string()
  .check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i));

/** A technology code such as `LDHP` or `F2F`, at most 32 characters; unknown codes pass as long as they look like codes. */
export const technologyCodeSchema = z.string().check(z.regex(/^[A-Z][A-Z0-9_]{0,31}$/));

/** Most technologies a session may list: the vendor has six; more is not an answer to trust. */
export const MAX_TECHNOLOGIES = 64;

/** The host session endpoint's answer. Extra fields are allowed and ignored. */
export const sessionResponseSchema = z.object({
  session_id: sessionIdSchema,
  technologies: z.array(technologyCodeSchema),
});

const shortString = ofLength(0, 2048);

/**
 * A message from the flow that the element accepts: a short string, or a plain object whose
 * well-known fields, when present, are short strings. Anything else is ignored. (The two are told
 * apart by `typeof` rather than with a `z.union`.)
 */
const flowMessageObjectSchema = z.looseObject({
  event: z.optional(shortString),
  type: z.optional(shortString),
  name: z.optional(shortString),
  url: z.optional(shortString),
  href: z.optional(shortString),
  session_id: z.optional(shortString),
  status: z.optional(shortString),
  technology_code: z.optional(shortString),
});

export type FlowMessage = string | z.infer<typeof flowMessageObjectSchema>;

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
  const parsed = (typeof data === 'string' ? shortString : flowMessageObjectSchema).safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/** The host status endpoint's answer. */
export const statusResponseSchema = z.object({
  session_id: sessionIdSchema,
  status: ofLength(1, 64),
  result: z.optional(z.unknown()),
});

export type StatusResponse = z.infer<typeof statusResponseSchema>;
