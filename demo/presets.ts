/**
 * The demo's presets: the sessions the vendor's guide documents, each bound to an emulator flow. This
 * module is server-side only: it builds session metadata, which the browser never sends. The page
 * learns the presets' names and flows from `/api/config` (see `publicPresets`), and sends back only a
 * preset id in the element's `context`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { FLOW_FAILURES, FLOW_FAILURE_NAMES, type EmulatorFlowInput, type FlowFailureName } from '../src/emulator/index.js';
import { isValidIin, type SessionMetadata } from '../src/server/index.js';

/** Check digit of an IIN (docs/vendor.md §2): weights 1..11 mod 11; if that gives 10, weights 3..11,1,2. */
function withIinCheckDigit(first11: string): string {
  const digits = Array.from(first11, Number);
  const checksum = (weights: readonly number[]) => weights.reduce((sum, weight, i) => sum + weight * digits[i]!, 0) % 11;
  let check = checksum([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  if (check === 10) check = checksum([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
  if (check === 10) throw new Error(`No IIN can start with ${first11}`);
  return first11 + String(check);
}

/** A made-up IIN: born 15 May 1990, century-and-sex digit 3, serial 0123, then its check digit. */
export const TEST_IIN = withIinCheckDigit('90051530123');
/** A made-up Kazakh mobile number in the vendor's format, 77 + 9 digits. */
export const TEST_PHONE = '77011234567';

if (!isValidIin(TEST_IIN)) throw new Error(`demo: ${TEST_IIN} is not a valid IIN`);

/** The demo's reference face for Face2Face `photo1`: a 64×80 PNG drawn for the demo. */
export const PHOTO1_PATH = new URL('./assets/photo1.png', import.meta.url);
const PHOTO1_BASE64 = readFileSync(PHOTO1_PATH).toString('base64');

/** The emulator's flows, one per combination of technologies the presets need. */
export const DEMO_FLOWS = [
  { name: 'LD + F2F', technologies: ['LD', 'F2F'] },
  { name: 'LDHP + F2F', technologies: ['LDHP', 'F2F'] },
  { name: 'LD + ED + F2F', technologies: ['LD', 'ED', 'F2F'] },
  { name: 'LD + DR + F2F', technologies: ['LD', 'DR', 'F2F'] },
  // An account whose subscription ended: the vendor refuses to create the session.
  { name: 'LD + F2F, no subscription', technologies: ['LD', 'F2F'], createError: 'subscription-inactive' },
] as const satisfies readonly EmulatorFlowInput[];

/** The flow of a failure preset: every step, so that each reason's step is there. */
const failureFlowName = (name: FlowFailureName) => `LD + ED + F2F, fails: ${name}` as const;

/** The emulator's flows of the failure presets: one per failure reason it can act out (`FLOW_FAILURES`). */
export const FAILURE_FLOWS: readonly EmulatorFlowInput[] = FLOW_FAILURE_NAMES.map((name) => ({
  name: failureFlowName(name),
  technologies: ['LD', 'ED', 'F2F'],
  failWith: name,
}));

export type DemoFlowName = (typeof DEMO_FLOWS)[number]['name'] | ReturnType<typeof failureFlowName>;

export interface Preset {
  /** What the page sends in `context.preset`. */
  id: string;
  label: string;
  description: string;
  /** The emulator flow (and so the API key) the session is created with. */
  flow: DemoFlowName;
  /** Built on the server only. */
  metadata?: SessionMetadata;
  /** Only against the emulator: the preset shows something the emulator makes happen on purpose. */
  emulatorOnly?: boolean;
  /** Human-readable lines about the metadata, for the page. */
  sends: string[];
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'default',
    label: 'Default flow (Liveness + Face2Face)',
    description: 'The vendor’s default flow without metadata. Face2Face asks for a document photo to compare with.',
    flow: 'LD + F2F',
    sends: ['no metadata'],
  },
  {
    id: 'ldhp',
    label: 'Liveness Head Position + Face2Face',
    description: 'Liveness with head position, then a face comparison against a document photo.',
    flow: 'LDHP + F2F',
    sends: ['no metadata'],
  },
  {
    id: 'photo1',
    label: 'Face2Face with photo1',
    description: 'The server sends a reference photo; Face2Face compares the live face with it.',
    flow: 'LD + F2F',
    metadata: { face2face: { photo1: PHOTO1_BASE64 } },
    sends: ['face2face.photo1: the demo’s reference photo (base64 PNG)'],
  },
  {
    id: 'edocument-skip',
    label: 'E-Document case 1: both fixed, input skipped',
    description: 'IIN and phone are fixed and skip_input is on: the person goes straight to the SMS code.',
    flow: 'LD + ED + F2F',
    metadata: {
      edocument: {
        iin: { value: TEST_IIN, changeable: false },
        phone: { value: TEST_PHONE, changeable: false },
        skip_input: true,
      },
    },
    sends: [`edocument.iin: ${TEST_IIN} (fixed)`, `edocument.phone: ${TEST_PHONE} (fixed)`, 'edocument.skip_input: true'],
  },
  {
    id: 'edocument-iin-fixed',
    label: 'E-Document case 2: IIN fixed, phone editable',
    description: 'The IIN is shown read-only; the phone is prefilled and may be changed.',
    flow: 'LD + ED + F2F',
    metadata: {
      edocument: { iin: { value: TEST_IIN, changeable: false }, phone: { value: TEST_PHONE, changeable: true } },
    },
    sends: [`edocument.iin: ${TEST_IIN} (fixed)`, `edocument.phone: ${TEST_PHONE} (editable)`],
  },
  {
    id: 'edocument-editable',
    label: 'E-Document case 3: both editable',
    description: 'IIN and phone are prefilled; the person may change both.',
    flow: 'LD + ED + F2F',
    metadata: {
      edocument: { iin: { value: TEST_IIN, changeable: true }, phone: { value: TEST_PHONE, changeable: true } },
    },
    sends: [`edocument.iin: ${TEST_IIN} (editable)`, `edocument.phone: ${TEST_PHONE} (editable)`],
  },
  {
    id: 'document',
    label: 'Document Recognition + Face2Face',
    description: 'A photo of the ID document, then the face compared with the document’s photo.',
    flow: 'LD + DR + F2F',
    sends: ['no metadata'],
  },
  {
    id: 'no-subscription',
    label: 'Account without a subscription (emulator)',
    description:
      'The emulator answers the session request as the vendor does for an account whose subscription ended: the element explains that the site, not the person, has to act.',
    flow: 'LD + F2F, no subscription',
    emulatorOnly: true,
    sends: ['no metadata'],
  },
];

/**
 * One preset per failure reason of the flow (docs/vendor.md §8) the emulator acts out: the session fails at
 * the reason's step whatever the person does there, so each reason's advice can be seen (and tested) end
 * to end. Not among the page's choices: the page sends `context.preset` `fails-<name>` itself.
 */
export const FAILURE_PRESETS: readonly Preset[] = FLOW_FAILURE_NAMES.map((name) => {
  const { type, detail, step } = FLOW_FAILURES[name];
  return {
    id: `fails-${name}`,
    label: `Fails: ${detail} (emulator)`,
    description: `The emulator fails the ${step === 'first' ? 'first' : step === 'edocument' ? 'E-Document' : 'liveness'} step with the failure reason ${type} "${detail}", whatever the person does there.`,
    flow: failureFlowName(name),
    // E-Document without its form: the person goes straight to the SMS code.
    metadata: { edocument: { iin: { value: TEST_IIN, changeable: false }, phone: { value: TEST_PHONE, changeable: false }, skip_input: true } },
    emulatorOnly: true,
    sends: [`edocument.iin: ${TEST_IIN} (fixed)`, `edocument.phone: ${TEST_PHONE} (fixed)`, 'edocument.skip_input: true'],
  };
});

/** What the page may know about a preset: no metadata values beyond the descriptions, no key. */
export interface PublicPreset {
  id: string;
  label: string;
  description: string;
  flow: { name: string; technologies: string[] };
  sends: string[];
}
