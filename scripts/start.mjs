#!/usr/bin/env node
// `npm start`: the demo. Builds the CDN files when they are missing or older than src/, then starts the
// emulator, the demo's host backend and Vite (demo/server.ts, loaded through tsx), prints where to go,
// and stops everything on Ctrl-C or SIGTERM.
//
// Environment:
//   PORT                  the demo's port (default 5173; when set, a busy port is an error)
//   EMULATOR_PORT         the emulator's port (when set, a busy port is an error; default 8790, or a
//                         free one when that is busy)
//   BIOMETRIC_API_KEY     use the real vendor instead of the emulator, with this flow key
//   BIOMETRIC_API_BASE_URL, BIOMETRIC_FLOW_BASE_URL   the vendor's URLs, when not the defaults
//   BIOMETRIC_WEBHOOK_TOKEN  the secret ending the webhook URL (/api/webhook/<token>): needed with a real
//                         key for the vendor's webhook; with the emulator, one is made per run
import { tsImport } from 'tsx/esm/api';

const { startDemo, ensureCdnBuild, DEFAULT_DEMO_PORT } = await tsImport('../demo/server.ts', import.meta.url);

function portFromEnv(name) {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return port;
}

const port = portFromEnv('PORT');
const emulatorPort = portFromEnv('EMULATOR_PORT');
const apiKey = process.env.BIOMETRIC_API_KEY || undefined;

try {
  if (await ensureCdnBuild()) console.log('');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

let demo;
try {
  demo = await startDemo({
    port: port ?? DEFAULT_DEMO_PORT,
    strictPort: port !== undefined,
    ...(emulatorPort === undefined ? {} : { emulatorPort }),
    ...(apiKey ? { apiKey } : {}),
    ...(process.env.BIOMETRIC_API_BASE_URL ? { apiBaseUrl: process.env.BIOMETRIC_API_BASE_URL } : {}),
    ...(process.env.BIOMETRIC_FLOW_BASE_URL ? { flowBaseUrl: process.env.BIOMETRIC_FLOW_BASE_URL } : {}),
    ...(process.env.BIOMETRIC_WEBHOOK_TOKEN ? { webhookToken: process.env.BIOMETRIC_WEBHOOK_TOKEN } : {}),
    viteLogLevel: 'warn',
  });
} catch (error) {
  if (error?.name === 'EmulatorPortInUseError') {
    console.error(
      `The demo could not start: EMULATOR_PORT=${error.port} is in use by another program.\n` +
        `Stop that program, set EMULATOR_PORT to a free port, or leave EMULATOR_PORT unset to let the demo pick one.`,
    );
  } else if (error?.code === 'EADDRINUSE' || /already in use/i.test(error?.message ?? '')) {
    // Vite's strictPort: PORT was given and is taken.
    console.error(
      `The demo could not start: ${error.message}.\nStop what listens there, set PORT to a free port, or leave PORT unset.`,
    );
  } else {
    console.error(`The demo could not start: ${error instanceof Error ? error.message : error}`);
  }
  process.exit(1);
}

console.log(`\n  biometric-flow demo: open ${demo.url}\n`);
// The token is a secret: logs show where the webhook goes, not the whole URL.
const webhookRoute = `${demo.url}api/webhook/…`;
if (demo.backend === 'emulator') {
  console.log(`  Emulator (vendor API and hosted flow): ${demo.emulatorUrl}`);
  console.log(`  The emulator posts its webhooks to ${webhookRoute} (a token made for this run)`);
} else {
  console.log('  BIOMETRIC_API_KEY is set: sessions are created by the real vendor.');
  console.log(`  Vendor API: ${demo.apiBaseUrl}   hosted flow: ${demo.flowBaseUrl}`);
  console.log(
    demo.webhookUrl
      ? `  Webhook: ${webhookRoute} (ending with BIOMETRIC_WEBHOOK_TOKEN), at the address the vendor reaches this demo by`
      : '  No webhook: set BIOMETRIC_WEBHOOK_TOKEN to receive the vendor\'s (see demo/README.md); the status is polled.',
  );
}
console.log('  Press Ctrl-C to stop.\n');

let stopping = false;
async function stop(signal) {
  if (stopping) {
    process.exit(1); // a second Ctrl-C: do not wait
  }
  stopping = true;
  console.log(`\n${signal}: stopping the demo…`);
  const timer = setTimeout(() => process.exit(1), 5000);
  timer.unref();
  await demo.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
