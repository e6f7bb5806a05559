#!/usr/bin/env node
/**
 * `biometric-flow`: the package's command. `biometric-flow doctor <url>` says, line by line, what on a
 * page would keep `<biometric-flow>` from working, and how to fix it. Exit code 0 when nothing blocks,
 * 1 when something does, 2 for a usage error.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import type { SecurityHeadersMode } from '../server/security-headers.js';
import { DEFAULT_DOCTOR_TIMEOUT_MS, formatReport, runDoctor, type DoctorReport } from './doctor.js';

const HELP = `Usage: biometric-flow doctor <url> [options]

Fetches the page that holds <biometric-flow>, and its endpoints, and says what
would keep the flow from working there: camera policy, Content-Security-Policy,
Cross-Origin-Opener-Policy, mixed content, a missing or refusing endpoint, a
key-looking value in sight. It never creates a session: the session endpoint
gets only OPTIONS and GET, the status endpoint a GET without a token.

The endpoints, mode and flow URL come from the page's <biometric-flow> tag;
these options override them (for a tag rendered by script):
  --session-endpoint <path-or-url>
  --status-endpoint <path-or-url>
  --flow-base-url <url>       default https://remote.biometric.kz
  --mode <inline|modal|popup|all>
A page behind a sign-in: pass what a signed-in browser sends. Both go to the
page's origin only (the page, its same-origin endpoints and scripts), and are
never printed:
  --cookie <name=value>       repeatable; joined into one Cookie header
  --header <'Name: value'>    repeatable, e.g. --header 'Authorization: Bearer ...'
Other options:
  --timeout <ms>              per request (default ${DEFAULT_DOCTOR_TIMEOUT_MS})
  --json                      print the report as JSON
  -h, --help                  show this help

Exit code: 0 nothing blocks (warnings may remain), 1 something blocks, 2 usage error.
`;

const MODES = ['inline', 'modal', 'popup', 'all'];

function fail(message: string): never {
  process.stderr.write(`biometric-flow: ${message}\n\n${HELP}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        'session-endpoint': { type: 'string' },
        'status-endpoint': { type: 'string' },
        'flow-base-url': { type: 'string' },
        mode: { type: 'string' },
        timeout: { type: 'string' },
        header: { type: 'string', multiple: true },
        cookie: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const [command, url, ...rest] = positionals;
  if (command !== 'doctor') fail(command === undefined ? 'a command is required' : `unknown command: ${command}`);
  if (url === undefined) fail('doctor needs the URL of the page that holds <biometric-flow>');
  if (rest.length > 0) fail(`unexpected arguments: ${rest.join(' ')}`);
  if (values.mode !== undefined && !MODES.includes(values.mode)) fail(`--mode must be one of ${MODES.join(', ')}`);
  let timeoutMs = DEFAULT_DOCTOR_TIMEOUT_MS;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!/^\d+$/.test(values.timeout) || timeoutMs <= 0) fail('--timeout must be a positive integer (milliseconds)');
  }
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(header);
    // Not echoed: the value may be a secret.
    if (!match) fail("--header must be 'Name: value', a header name and a colon");
    headers[match[1]!.toLowerCase()] = match[2]!.trim();
  }
  if (values.cookie?.length) headers.cookie = [...(headers.cookie ? [headers.cookie] : []), ...values.cookie].join('; ');
  let report: DoctorReport;
  try {
    report = await runDoctor({
      url,
      timeoutMs,
      ...(values['session-endpoint'] !== undefined ? { sessionEndpoint: values['session-endpoint'] } : {}),
      ...(values['status-endpoint'] !== undefined ? { statusEndpoint: values['status-endpoint'] } : {}),
      ...(values['flow-base-url'] !== undefined ? { flowBaseUrl: values['flow-base-url'] } : {}),
      ...(values.mode !== undefined ? { mode: values.mode as SecurityHeadersMode } : {}),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    });
  } catch (error) {
    if (error instanceof TypeError) fail(error.message);
    throw error;
  }
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  process.exitCode = report.blocking ? 1 : 0;
}

await main();
