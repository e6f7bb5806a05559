#!/usr/bin/env node
/**
 * `biometric-flow-emulator`: runs the emulator until SIGINT or SIGTERM and prints its URL and flows,
 * with the API keys it made for this run.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { startEmulator, type Emulator } from './index.js';

const HELP = `Usage: biometric-flow-emulator [options]

A local stand-in for the Biometric.Vision API and hosted flow.

Options:
  --port <n>        port to listen on (default 8790; 0 picks a free one)
  --host <addr>     interface to listen on (default 127.0.0.1)
  --latency <ms>    delay before every API answer (default 0)
  --result-delay <ms>
                    after a flow ends, the result is {} for this long, like the
                    vendor's (default 3000)
  --allowed-origin <origin>
                    a browser origin allowed to call the API (repeatable; default
                    none: the API is for servers)
  --webhook <url>   POST webhook events to this URL (repeatable)
  --quiet           do not log sessions and events
  -h, --help        show this help
`;

function fail(message: string): never {
  process.stderr.write(`biometric-flow-emulator: ${message}\n\n${HELP}`);
  process.exit(2);
}

function integer(name: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) fail(`--${name} must be a non-negative integer`);
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

  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      port: integer('port', values.port),
      host: values.host,
      latencyMs: integer('latency', values.latency),
      resultDelayMs: integer('result-delay', values['result-delay']),
      allowedOrigins: values['allowed-origin'],
      webhooks: values.webhook,
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
      values.webhook.length > 0 ? `  Webhooks: ${values.webhook.join(', ')}` : '  Webhooks: none',
      `  Result delay: ${values['result-delay']} ms after a flow ends`,
      '',
      'API keys are new on every start:',
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
