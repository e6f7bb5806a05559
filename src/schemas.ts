// Everything that crosses into the element from outside is parsed here, with zod/mini to keep the
// browser bundle small. Only `z.custom` is used (strings by {@link matching}): each other kind of schema
// brings its own code into every page that loads the element (`z.object` 1.3 KB gzipped, `z.array`
// 0.5 KB, `z.optional` 0.4 KB, `z.string` with its regex check 0.3 KB, `z.guid` or `z.maxLength` 0.1 to
// 0.4 KB each). The element's shapes are flat, so their fields are checked one by one with {@link parseFields}.
import * as z from 'zod/mini';

/**
 * A string that `pattern` matches. A `z.custom` rather than `z.string().check(z.regex(...))`: the string
 * schema and its format checks are code every page would load, for the same test.
 */
export const matching = (pattern: RegExp) => z.custom<string>((value) => typeof value === 'string' && pattern.test(value));

/** A string of `min` to `max` UTF-16 code units, any characters (`[^]` matches newlines too). */
const ofLength = (min: number, max: number) => matching(new RegExp(`^[^]{${min},${max}}$`));

/** A session id, as it must be before it goes into a URL: 8-4-4-4-12 hex digits, nothing else. */
export const sessionIdSchema = matching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

/** A technology code such as `LDHP` or `F2F`, at most 32 characters; unknown codes pass as long as they look like codes. */
const TECHNOLOGY_CODE = /^[A-Z][A-Z0-9_]{0,31}$/;

/** Most technologies a session may list: the vendor has six; more is not an answer to trust. */
const MAX_TECHNOLOGIES = 64;

/** The schemas of some fields of a flat object. */
type Shape = Record<string, z.ZodMiniType>;

/** What {@link parseFields} gives for a shape: the checked fields, and any others as they came. */
export type Fields<S extends Shape, Optional extends boolean = false> = (Optional extends true
  ? { [K in keyof S]?: z.output<S[K]> }
  : { [K in keyof S]: z.output<S[K]> }) &
  Record<string, unknown>;

export type ParsedFields<S extends Shape, Optional extends boolean = false> =
  | { success: true; data: Fields<S, Optional> }
  | { success: false; failed: string[] };

/**
 * Whether `data` is a plain object: `Object.prototype` or no prototype. A Blob, Map or Date would
 * otherwise pass as an object whose fields are read from its prototype: a Blob of type "finished"
 * would end the flow.
 */
function isPlainObject(data: unknown): data is Record<string, unknown> {
  if (typeof data !== 'object' || data === null) return false;
  const prototype = Object.getPrototypeOf(data) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * Checks the fields that `shape` names on a plain object, each with its own schema; other fields pass as
 * they are. Only own fields count: an inherited `status` is an absent one. With `optional`, an absent
 * (or `undefined`) field passes.
 *
 * @returns a copy of `data` with the parsed values, or the names of the fields that failed (all that
 *   cannot be absent when `data` is not a plain object).
 */
export function parseFields<S extends Shape, Optional extends boolean = false>(
  data: unknown,
  shape: S,
  optional?: Optional,
): ParsedFields<S, Optional> {
  // Not an object: every field it would need failed (an optional one can be missing from nothing).
  if (!isPlainObject(data)) return { success: false, failed: Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success) };
  const copy: Record<string, unknown> = { ...data };
  const failed: string[] = [];
  for (const [key, schema] of Object.entries(shape)) {
    const value = Object.hasOwn(data, key) ? data[key] : undefined;
    if (optional && value === undefined) continue;
    const parsed = schema.safeParse(value);
    if (parsed.success) copy[key] = parsed.data;
    else failed.push(key);
  }
  return failed.length > 0 ? { success: false, failed } : { success: true, data: copy as Fields<S, Optional> };
}

/**
 * The technologies of a session: an array of at most {@link MAX_TECHNOLOGIES} codes. (A `z.custom` costs
 * half the bytes of a `z.array` and takes the length limit in the same check; the codes are tested with
 * the regex itself, not one parse per code, on the path between the answer and the frame.)
 */
const technologiesSchema = z.custom<string[]>(
  (value) =>
    Array.isArray(value) &&
    value.length <= MAX_TECHNOLOGIES &&
    value.every((code) => typeof code === 'string' && TECHNOLOGY_CODE.test(code)),
);

/** A status token: opaque, 1 to 200 printable ASCII characters, so that it can go into a header as it is. */
const STATUS_TOKEN = /^[!-~]{1,200}$/;

/** An absent status token (an older host), or a valid one. */
const statusTokenSchema = z.custom<string | undefined>(
  (value) => value === undefined || (typeof value === 'string' && STATUS_TOKEN.test(value)),
);

/** The host session endpoint's answer. Extra fields are allowed and ignored. */
export const sessionResponseShape = {
  session_id: sessionIdSchema,
  technologies: technologiesSchema,
  status_token: statusTokenSchema,
};

const shortString = ofLength(0, 2048);

/** The well-known fields of a message object from the flow; each, when present, is a short string. */
const flowMessageShape = {
  event: shortString,
  type: shortString,
  name: shortString,
  url: shortString,
  href: shortString,
  session_id: shortString,
  status: shortString,
  technology_code: shortString,
};

/** A message from the flow that the element accepts: a short string, or a plain object with {@link flowMessageShape}. */
export type FlowMessage = string | Fields<typeof flowMessageShape, true>;

/** The accepted form of a message's data, or `undefined`. */
export function parseFlowMessage(data: unknown): FlowMessage | undefined {
  if (typeof data === 'string') return shortString.safeParse(data).success ? data : undefined;
  const parsed = parseFields(data, flowMessageShape, true);
  return parsed.success ? parsed.data : undefined;
}

/** The host status endpoint's answer; `result` passes as it came. */
export const statusResponseShape = {
  session_id: sessionIdSchema,
  status: ofLength(1, 64),
};

export type StatusResponse = Fields<typeof statusResponseShape>;
