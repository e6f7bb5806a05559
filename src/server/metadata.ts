/**
 * Session metadata (docs/vendor.md §2): the zod schema shared by the host backend, which validates what a
 * host's `metadata` callback returns before it reaches the vendor, and by the emulator, which validates
 * what it receives the way the vendor would.
 *
 * Unknown keys are rejected at every level (`z.strictObject`): a typo such as `skipInput` would otherwise
 * be dropped silently and change the course of the flow without anyone noticing.
 *
 * @module
 */
import { z } from 'zod';

/** The technology codes the vendor documents (docs/vendor.md §3). The list is not closed; see {@link technologyCodeSchema}. */
export const TECHNOLOGY_CODES = ['LD', 'LDHP', 'LDD', 'ED', 'DR', 'F2F'] as const;

/** One of the documented technology codes. */
export type KnownTechnologyCode = (typeof TECHNOLOGY_CODES)[number];

/**
 * Any technology code the vendor may send: an uppercase code, documented or not. Unknown codes pass
 * through untouched so that a new vendor technology does not break existing hosts.
 */
export const technologyCodeSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,31}$/, { message: 'Expected an uppercase technology code such as "LDHP"' });

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A vendor session id: a UUID of any version, in either case. Checked before an id goes into a URL.
 */
export const sessionIdSchema = z.string().regex(UUID_PATTERN, { message: 'Expected a UUID session id' });

/** Largest accepted `face2face.photo1`, in base64 characters (8 MiB of text, about 6 MiB of image). */
export const MAX_PHOTO_BASE64_LENGTH = 8 * 1024 * 1024;

const IIN_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const IIN_FALLBACK_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] as const;

/**
 * Whether `value` is a Kazakhstan IIN: 12 ASCII digits whose last digit is the check digit — the sum of
 * the first 11 digits weighted 1..11, mod 11; when that is 10, weighted 3..11,1,2, mod 11; when that is
 * 10 again no check digit exists and the number is invalid.
 *
 * @returns `true` when the format and the check digit are right.
 */
export function isValidIin(value: string): boolean {
  if (!/^\d{12}$/.test(value)) return false;
  const digits = Array.from(value, Number);
  const checksum = (weights: readonly number[]) =>
    weights.reduce((sum, weight, index) => sum + weight * digits[index]!, 0) % 11;
  let check = checksum(IIN_WEIGHTS);
  if (check === 10) check = checksum(IIN_FALLBACK_WEIGHTS);
  return check !== 10 && check === digits[11];
}

const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `face2face.photo1`: the bare base64 payload of a photo (standard alphabet, padding optional). A
 * `data:image/...;base64,` prefix is refused rather than stripped: the vendor documents plain base64, and
 * a schema without transforms keeps what is validated identical to what is sent.
 */
const photoSchema = z
  .string()
  .min(1, { message: 'photo1 must not be empty' })
  .max(MAX_PHOTO_BASE64_LENGTH, { message: `photo1 must be at most ${MAX_PHOTO_BASE64_LENGTH} base64 characters` })
  .refine((value) => !value.startsWith('data:'), {
    message: 'photo1 must be bare base64, without the "data:...;base64," prefix',
    abort: true,
  })
  .refine(
    (value) =>
      BASE64_PATTERN.test(value) &&
      value.length % 4 !== 1 &&
      (!value.endsWith('=') || value.length % 4 === 0),
    { message: 'photo1 must be base64 (standard alphabet A-Z a-z 0-9 + /, optional = padding)' },
  );

const iinSchema = z.string().refine(isValidIin, {
  message: 'IIN must be 12 digits with a valid check digit',
});

const phoneSchema = z.string().regex(/^77\d{9}$/, { message: 'Phone must be "77" followed by 9 digits' });

const edocumentSchema = z
  .strictObject({
    iin: z.strictObject({ value: iinSchema.optional(), changeable: z.boolean().optional() }).optional(),
    phone: z.strictObject({ value: phoneSchema.optional(), changeable: z.boolean().optional() }).optional(),
    skip_input: z.boolean().optional(),
  })
  .superRefine(
    (edocument, ctx) => {
      if (edocument.skip_input !== true) return;
      // Runs even when iin or phone failed their own checks (see `when`), so read them defensively.
      const fixed = (field: unknown) =>
        typeof field === 'object' &&
        field !== null &&
        (field as { value?: unknown }).value !== undefined &&
        (field as { changeable?: unknown }).changeable === false;
      if (!fixed(edocument.iin) || !fixed(edocument.phone)) {
        ctx.addIssue({
          code: 'custom',
          path: ['skip_input'],
          message:
            'skip_input: true needs both iin.value and phone.value, each with changeable: false (changeable defaults to true)',
        });
      }
    },
    // Report a skip_input mistake alongside field errors, not only after they are fixed.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

/**
 * Session metadata sent to the vendor with a session-create request (docs/vendor.md §2). Every field is
 * optional; unknown keys are rejected at every level. Each issue carries the path of its field, so
 * {@link formatIssues} can name it (for example `edocument.skip_input`).
 */
export const sessionMetadataSchema = z.strictObject({
  face2face: z.strictObject({ photo1: photoSchema.optional() }).optional(),
  edocument: edocumentSchema.optional(),
  general: z
    .strictObject({
      interchangeable_tech: z
        .array(z.enum(TECHNOLOGY_CODES, { message: `Expected one of ${TECHNOLOGY_CODES.join(', ')}` }))
        .optional(),
    })
    .optional(),
});

/** Session metadata, as {@link sessionMetadataSchema} accepts it. */
export type SessionMetadata = z.infer<typeof sessionMetadataSchema>;

/** One validation problem, safe to put in an answer: the field's dotted path and a message, no value. */
export interface FormattedIssue {
  /** Dotted path of the field, e.g. `edocument.iin.value` or `general.interchangeable_tech.0`; `''` for the root. */
  path: string;
  /** What is wrong, in English, without the offending value. */
  message: string;
}

/**
 * Turns a zod error (or its issues) into `{ path, message }` pairs. An unrecognized-keys issue becomes one
 * entry per key, with the key in the path, so every entry names a field.
 *
 * @returns the issues in the order zod reported them.
 */
export function formatIssues(error: z.ZodError | readonly z.core.$ZodIssue[]): FormattedIssue[] {
  const issues = Array.isArray(error) ? (error as readonly z.core.$ZodIssue[]) : (error as z.ZodError).issues;
  const dotted = (path: readonly PropertyKey[]) => path.map((segment) => String(segment)).join('.');
  return issues.flatMap((issue): FormattedIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: dotted([...issue.path, key]), message: 'Unknown field' }));
    }
    return [{ path: dotted(issue.path), message: issue.message }];
  });
}
