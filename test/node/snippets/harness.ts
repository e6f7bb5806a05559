// Preloaded (`--import`) into a child process that runs one docs snippet as written:
// - `biometric-flow/server` and `/emulator` are this checkout's sources;
// - every `listen()` binds 127.0.0.1 on a free port (whatever port the snippet names), and the parent
//   gets the URL over IPC: `{ listening: 'http://127.0.0.1:<port>' }`;
// - calls to the vendor's real API (`https://kyc.biometric.kz`) go to `FAKE_VENDOR_URL`.
import { register } from 'node:module';
import { Server } from 'node:net';
import type { AddressInfo } from 'node:net';

register('./resolve-package.mjs', import.meta.url);

const VENDOR = 'https://kyc.biometric.kz';
const fakeVendor = process.env.FAKE_VENDOR_URL;
if (fakeVendor === undefined) throw new Error('harness: set FAKE_VENDOR_URL');

const listen = Server.prototype.listen;
Server.prototype.listen = function listenOnLoopback(this: Server, ...args: unknown[]) {
  const callback = args.find((arg): arg is () => void => typeof arg === 'function');
  this.once('listening', () => {
    process.send?.({ listening: `http://127.0.0.1:${(this.address() as AddressInfo).port}` });
  });
  return listen.call(this, { port: 0, host: '127.0.0.1' }, callback);
} as typeof Server.prototype.listen;

const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === 'string' || input instanceof URL ? String(input) : undefined;
  return realFetch(url?.startsWith(`${VENDOR}/`) ? fakeVendor + url.slice(VENDOR.length) : input, init);
};
