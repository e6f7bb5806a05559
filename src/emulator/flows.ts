/**
 * The flows an emulator serves: the vendor's example table by default (its WebView guide), or the
 * caller's own.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { technologyCodeSchema } from '../server/metadata.js';
import { FLOW_FAILURE_NAMES, failingTechnology, type FlowFailureName } from './flow-failures.js';
import { VENDOR_ERROR_NAMES, type VendorErrorName } from './vendor-errors.js';

/** A flow as the vendor's dashboard lists it: a name, its API key and its ordered technologies. */
export interface EmulatorFlow {
  name: string;
  apiKey: string;
  technologies: string[];
  /** The vendor error every session create with this flow's key answers (an account without subscription). */
  createError?: VendorErrorName;
  /** The vendor error every result request with this flow's key answers. */
  resultError?: VendorErrorName;
  /** The flow failure reason (docs/vendor.md §8) every session of this flow fails with (see `FLOW_FAILURES`). */
  failWith?: FlowFailureName;
}

/**
 * A flow to serve; without `apiKey` one is generated for each start (48 random base64url characters).
 * `createError` / `resultError` make the flow's API calls fail like the vendor's (see `VENDOR_ERRORS`);
 * `failWith` makes every session fail at a step with one of the flow's failure reasons (see
 * `FLOW_FAILURES`), whatever the person does there.
 */
export interface EmulatorFlowInput {
  name: string;
  apiKey?: string;
  technologies: readonly string[];
  createError?: VendorErrorName;
  resultError?: VendorErrorName;
  failWith?: FlowFailureName;
}

/**
 * The three flows of the vendor's example table (its WebView guide), without keys: every start
 * gives them new random ones, so a key seen once (a log, a screenshot) is worth nothing to the next run.
 */
export const DEFAULT_FLOWS: readonly Readonly<EmulatorFlowInput>[] = Object.freeze([
  Object.freeze({ name: 'Флоу для всех', technologies: Object.freeze(['LD', 'F2F']) }),
  Object.freeze({ name: 'Флоу для физ. лиц', technologies: Object.freeze(['LD', 'ED', 'F2F']) }),
  Object.freeze({ name: 'Флоу для юр. лиц', technologies: Object.freeze(['LD', 'DR', 'F2F']) }),
]);

const flowInputSchema = z.object({
  name: z.string().min(1),
  apiKey: z.string().min(1).max(512).regex(/^[\x21-\x7e]+$/, 'API key must be printable ASCII without spaces').optional(),
  technologies: z.array(technologyCodeSchema).min(1),
  createError: z.enum(VENDOR_ERROR_NAMES).optional(),
  resultError: z.enum(VENDOR_ERROR_NAMES).optional(),
  failWith: z.enum(FLOW_FAILURE_NAMES).optional(),
});

/**
 * Validates the caller's flows and fills in missing keys.
 *
 * @returns fresh flow objects, in the given order.
 * @throws {TypeError} when a flow is malformed or two flows share a key.
 */
export function resolveFlows(input: readonly EmulatorFlowInput[] | undefined): EmulatorFlow[] {
  const source = input ?? DEFAULT_FLOWS;
  const flows = source.map((flow, index) => {
    const parsed = flowInputSchema.safeParse(flow);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TypeError(`flows[${index}]: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.trim());
    }
    const { name, apiKey, technologies, createError, resultError, failWith } = parsed.data;
    if (failWith && failingTechnology(failWith, technologies) === undefined) {
      throw new TypeError(`flows[${index}]: failWith ${failWith} fails a step this flow does not have (${technologies.join(', ')})`);
    }
    // 36 random bytes are 48 base64url characters; the vendor's documented key length is "47 or more".
    return {
      name,
      apiKey: apiKey ?? randomBytes(36).toString('base64url'),
      technologies: [...technologies],
      ...(createError ? { createError } : {}),
      ...(resultError ? { resultError } : {}),
      ...(failWith ? { failWith } : {}),
    };
  });
  if (flows.length === 0) throw new TypeError('flows: at least one flow is needed');
  const keys = new Set(flows.map((flow) => flow.apiKey));
  if (keys.size !== flows.length) throw new TypeError('flows: two flows share an API key');
  return flows;
}
