#!/usr/bin/env node
/**
 * `biometric-flow-emulator`: runs the emulator until SIGINT or SIGTERM and prints its URL and flows,
 * with the API keys it made for this run (or the fixed ones of `--key` / `BIOMETRIC_EMULATOR_KEY`).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { DEFAULT_FLOWS, startEmulator, type Emulator, type EmulatorFaults } from './index.js';
import { redactUrl } from './webhooks.js';

const HELP = `Usage: biometric-flow-emulator [options]

A local stand-in for the Biometric.Vision API and hosted flow.

Options:
  --port <n>        port to listen on (default 8790; 0 picks a free one)
  --host <addr>     interface to listen on (default 127.0.0.1)
  --latency <ms>    delay before every API answer (default 0)
  --result-delay <ms>
                    after a flow ends, the result is {} for this long, like the
                    vendor's, and flow.end is sent then (default 3000)
  --allowed-origin <origin>
                    a browser origin allowed to call the API (repeatable; default
                    none: the API is for servers)
  --webhook <url>   POST webhook events to this URL (repeatable)
  --key <key>       a fixed API key for development: the first flow's, a second
                    --key the second flow's, and so on (16 to 512 printable
                    characters, no spaces); default: new random keys on every
                    start. Env BIOMETRIC_EMULATOR_KEY: the first flow's key
                    when no --key is given
  --session-ttl <ms>
                    lifetime of an unfinished session (default 1800000: 30 min)
  --quiet           do not log sessions and events
  -h, --help        show this help

Faults on demand (rates from 0 to 1, default 0; the same seed repeats a run):
  --seed <n>        seed of every random choice (an integer; default 0)
  --result-error-rate <r>
                    result requests answered 500, 502 or 503
  --result-timeout-rate <r>
                    result requests that hang, then answer 504
  --result-hang <ms>
                    how long those hang (default 30000)
  --webhook-drop-rate <r>
                    webhook deliveries never sent
  --webhook-duplicate-rate <r>
                    webhook deliveries sent twice
  --webhook-reorder-rate <r>
                    webhook deliveries overtaken by the session's next event
  --webhook-late-rate <r>
                    webhook deliveries sent late
  --webhook-late <ms>
                    how late (default 30000)
  --finish-after-expiry-rate <r>
                    sessions whose result (and flow.end) comes only after
                    their expiry
  --finish-after-expiry <ms>
                    how long after the expiry (default 1000)
  --early-flow-end-rate <r>
                    sessions whose flow.end is sent as the flow ends,
                    before the result endpoint has the result
`;

/** The fault flags: CLI name → `EmulatorFaults` field, and the kind of its value. */
const FAULT_FLAGS = {
  seed: ['seed', 'seed'],
  'result-error-rate': ['resultErrorRate', 'rate'],
  'result-timeout-rate': ['resultTimeoutRate', 'rate'],
  'result-hang': ['resultHangMs', 'duration'],
  'webhook-drop-rate': ['webhookDropRate', 'rate'],
  'webhook-duplicate-rate': ['webhookDuplicateRate', 'rate'],
  'webhook-reorder-rate': ['webhookReorderRate', 'rate'],
  'webhook-late-rate': ['webhookLateRate', 'rate'],
  'webhook-late': ['webhookLateMs', 'duration'],
  'finish-after-expiry-rate': ['finishAfterExpiryRate', 'rate'],
  'finish-after-expiry': ['finishAfterExpiryMs', 'duration'],
  'early-flow-end-rate': ['earlyFlowEndRate', 'rate'],
} as const satisfies Record<string, readonly [keyof EmulatorFaults, 'seed' | 'rate' | 'duration']>;

function fail(message: string): never {
  process.stderr.write(`biometric-flow-emulator: ${message}\n\n${HELP}`);
  process.exit(2);
}

function integer(name: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) fail(`--${name} must be a non-negative integer`);
  return number;
}

function rate(name: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) fail(`--${name} must be a number from 0 to 1`);
  return number;
}

/** @returns the faults the flags ask for. */
function faultsOf(values: Partial<Record<keyof typeof FAULT_FLAGS, string>>): EmulatorFaults {
  const faults: Record<string, number> = {};
  for (const [flag, [field, kind]] of Object.entries(FAULT_FLAGS)) {
    const value = values[flag as keyof typeof FAULT_FLAGS];
    if (value === undefined) continue;
    faults[field] = kind === 'rate' ? rate(flag, value) : kind === 'seed' ? seed(value) : integer(flag, value);
  }
  return faults;
}

/** @returns the fault flags given, for the banner, or `none`. */
function describeFaultFlags(values: Partial<Record<keyof typeof FAULT_FLAGS, string>>): string {
  const given = Object.keys(FAULT_FLAGS).filter((flag) => flag !== 'seed' && values[flag as keyof typeof FAULT_FLAGS] !== undefined);
  if (given.length === 0) return 'none';
  return `${given.map((flag) => `--${flag} ${values[flag as keyof typeof FAULT_FLAGS]}`).join(' ')} (seed ${values.seed ?? 0})`;
}

/** What a fixed key may be: printable ASCII without spaces, of a length no real key is shorter or longer than. */
const KEY_PATTERN = /^[\x21-\x7e]{16,512}$/;
const KEY_VARIABLE = 'BIOMETRIC_EMULATOR_KEY';

/**
 * The fixed keys asked for, in flow order: every `--key`, else the environment's one.
 *
 * @returns the keys and where they came from (for the banner), or no keys: random ones.
 */
function fixedKeys(flags: readonly string[]): { keys: readonly string[]; source: string } {
  const variable = process.env[KEY_VARIABLE];
  // An empty variable is an unset one: `BIOMETRIC_EMULATOR_KEY= npm start` turns it off.
  const keys = flags.length > 0 ? flags : variable ? [variable] : [];
  const source = flags.length > 0 ? '--key' : KEY_VARIABLE;
  for (const key of keys) {
    if (!KEY_PATTERN.test(key)) {
      fail(`${source} must be 16 to 512 printable ASCII characters without spaces (the vendor's keys are 47 or more); got ${key.length} characters`);
    }
  }
  if (keys.length > DEFAULT_FLOWS.length) fail(`--key given ${keys.length} times, for ${DEFAULT_FLOWS.length} flows`);
  return { keys, source };
}

function seed(value: string): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(number)) fail('--seed must be an integer');
  return number;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '8790' },
        host: { type: 'string', default: '127.0.0.1' },
        latency: { type: 'string', default: '0' },
        'result-delay': { type: 'string', default: '3000' },
        'allowed-origin': { type: 'string', multiple: true, default: [] },
        webhook: { type: 'string', multiple: true, default: [] },
        key: { type: 'string', multiple: true, default: [] },
        'session-ttl': { type: 'string', default: '1800000' },
        ...(Object.fromEntries(Object.keys(FAULT_FLAGS).map((flag) => [flag, { type: 'string' }])) as Record<
          keyof typeof FAULT_FLAGS,
          { type: 'string' }
        >),
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }

  const { keys, source } = fixedKeys(values.key);
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      flows: DEFAULT_FLOWS.map((flow, index) => (keys[index] === undefined ? flow : { ...flow, apiKey: keys[index] })),
      port: integer('port', values.port),
      host: values.host,
      latencyMs: integer('latency', values.latency),
      resultDelayMs: integer('result-delay', values['result-delay']),
      allowedOrigins: values['allowed-origin'],
      webhooks: values.webhook,
      sessionTtlMs: integer('session-ttl', values['session-ttl']),
      faults: faultsOf(values),
      ...(values.quiet ? {} : { logger: console }),
    });
  } catch (error) {
    // startEmulator throws these for bad options (a webhook or origin that is not a URL); the rest is not the user's.
    if (error instanceof TypeError || error instanceof RangeError) fail(error.message);
    throw error;
  }

  const nameWidth = Math.max(4, ...emulator.flows.map((flow) => flow.name.length));
  const keyWidth = Math.max(7, ...emulator.flows.map((flow) => flow.apiKey.length));
  const row = (name: string, key: string, technologies: string) =>
    `  ${name.padEnd(nameWidth)}  ${key.padEnd(keyWidth)}  ${technologies}`;
  process.stdout.write(
    [
      `Biometric.Vision emulator on ${emulator.url}`,
      `  API:  ${emulator.url}/api/v1/flows/session/create/`,
      `  Flow: ${emulator.url}/flow/<session_id>?web_view=true&locale=ru`,
      values.webhook.length > 0 ? `  Webhooks: ${values.webhook.map(redactUrl).join(', ')}` : '  Webhooks: none',
      `  Result delay: ${values['result-delay']} ms after a flow ends`,
      `  Faults: ${describeFaultFlags(values)}`,
      '',
      ...(keys.length === 0
        ? ['API keys are new on every start:']
        : [
            `Fixed API key in use (from ${source}) for ${emulator.flows
              .slice(0, keys.length)
              .map((flow) => `"${flow.name}"`)
              .join(', ')}: for development only, never a real vendor key.`,
            keys.length < emulator.flows.length ? 'The other keys are new on every start:' : 'API keys:',
          ]),
      row('Flow', 'API key', 'Technologies'),
      ...emulator.flows.map((flow) => row(flow.name, flow.apiKey, flow.technologies.join(', '))),
      '',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`biometric-flow-emulator: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`biometric-flow-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
