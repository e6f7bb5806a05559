/**
 * The flows an emulator serves: the vendor's example table by default (flow_webview.ru.txt, §1), or the
 * caller's own.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { technologyCodeSchema } from '../server/metadata.js';

/** A flow as the vendor's dashboard lists it: a name, its API key and its ordered technologies. */
export interface EmulatorFlow {
  name: string;
  apiKey: string;
  technologies: string[];
}

/** A flow to serve; without `apiKey` one is generated (48 random base64url characters). */
export interface EmulatorFlowInput {
  name: string;
  apiKey?: string;
  technologies: readonly string[];
}

/** The vendor's documented key length is "47 or more"; the emulator's keys have 48 characters. */
const KEY_LENGTH = 48;

/**
 * A key that starts with the (shortened) key the vendor's table shows and is completed from the flow's
 * name, so that it is the same on every run and a demo can hard-code it.
 */
function deterministicKey(prefix: string, name: string): string {
  const filler = createHash('sha256').update(`biometric-flow-emulator\0${name}`).digest('base64url');
  return (prefix + filler).slice(0, KEY_LENGTH);
}

/**
 * The three flows of the vendor's example table, with deterministic 48-character keys that begin with
 * the table's prefixes (`TTpme201NiUMBA…`, `Efy202XKbVAWRu…`, `UuuH4V1XC-M9je…`).
 */
export const DEFAULT_FLOWS: readonly Readonly<EmulatorFlow>[] = Object.freeze([
  Object.freeze({
    name: 'Флоу для всех',
    apiKey: deterministicKey('TTpme201NiUMBA', 'Флоу для всех'),
    technologies: ['LD', 'F2F'],
  }),
  Object.freeze({
    name: 'Флоу для физ. лиц',
    apiKey: deterministicKey('Efy202XKbVAWRu', 'Флоу для физ. лиц'),
    technologies: ['LD', 'ED', 'F2F'],
  }),
  Object.freeze({
    name: 'Флоу для юр. лиц',
    apiKey: deterministicKey('UuuH4V1XC-M9je', 'Флоу для юр. лиц'),
    technologies: ['LD', 'DR', 'F2F'],
  }),
]);

const flowInputSchema = z.object({
  name: z.string().min(1),
  apiKey: z.string().min(1).max(512).regex(/^[\x21-\x7e]+$/, 'API key must be printable ASCII without spaces').optional(),
  technologies: z.array(technologyCodeSchema).min(1),
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
    return {
      name: parsed.data.name,
      apiKey: parsed.data.apiKey ?? randomBytes(36).toString('base64url'),
      technologies: [...parsed.data.technologies],
    };
  });
  if (flows.length === 0) throw new TypeError('flows: at least one flow is needed');
  const keys = new Set(flows.map((flow) => flow.apiKey));
  if (keys.size !== flows.length) throw new TypeError('flows: two flows share an API key');
  return flows;
}
