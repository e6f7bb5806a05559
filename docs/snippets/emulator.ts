import { startEmulator } from 'biometric-flow/emulator';
import { createSessionHandler } from 'biometric-flow/server';

const emulator = await startEmulator({ port: 8790, resultDelayMs: 3000 });
// emulator.url, emulator.flows: [{ name, apiKey, technologies }] — new random keys on every start
export const session = createSessionHandler({ apiKey: emulator.flows[0]!.apiKey, apiBaseUrl: emulator.url });
// and <biometric-flow flow-base-url="http://127.0.0.1:8790">
