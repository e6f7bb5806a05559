/**
 * What the examples' test does with each app in examples/: a copy in a temporary folder next to the
 * packed tarball, `npm ci` from npm's cache, commands timed, servers started as a person starts them
 * (`npm start`, `vite preview`) and stopped with their whole process group, and a person's way through
 * the app's page to the verdict.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ACTION_TIMEOUT_MS, passFlow } from '../support/e2e.js';

/** npm's codes for "the registry cannot be reached". */
export const OFFLINE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED)\b/;

/** Seconds each step took, per app, for the closing table. */
export const timings = new Map<string, Record<string, number>>();

export function record(app: string, step: string, ms: number): void {
  const row = timings.get(app) ?? {};
  row[step] = ms / 1000;
  timings.set(app, row);
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(`${message}\n${output.slice(-4000)}`);
  }
}

/** Every process this run started, so that a failing test still stops them. */
const running = new Set<ChildProcess>();

function stopGroup(child: ChildProcess): void {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

export function stopAll(): void {
  for (const child of [...running]) stopGroup(child);
}

/**
 * Runs a command to its end in its own process group (killed whole on timeout).
 *
 * @returns its output; rejects with a {@link CommandError} holding the output when it fails.
 */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      stopGroup(child);
      reject(new CommandError(`${command} ${args.join(' ')} took over ${options.timeoutMs} ms`, output));
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new CommandError(`${command}: ${error.message}`, output));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0) resolve(output);
      else reject(new CommandError(`${command} ${args.join(' ')} exited with ${code}`, output));
    });
  });
}

export interface Service {
  url: string;
  output(): string;
  stop(): void;
}

/** Starts a long-running command and resolves once it prints an http://127.0.0.1:<port> URL. */
export function serve(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Service> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopGroup(child);
      reject(new CommandError(message, output));
    };
    const timer = setTimeout(() => fail(`${command} ${args.join(' ')} printed no URL within ${options.timeoutMs} ms`), options.timeoutMs);
    const onData = (chunk: Buffer) => {
      // Strip colours: Vite prints the port in bold.
      output += chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
      const match = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)/.exec(output);
      if (settled || !match) return;
      settled = true;
      clearTimeout(timer);
      resolve({ url: `http://127.0.0.1:${match[1]}/`, output: () => output, stop: () => stopGroup(child) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (error) => fail(`${command}: ${error.message}`));
    child.on('close', (code) => fail(`${command} ${args.join(' ')} exited with ${code} before printing a URL`));
  });
}

/**
 * A port free at the moment, for a server whose own URL must be in its environment before it starts
 * (Next's `allowedOrigins`); another process could take it in between, which a retry would tell.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Copies examples/<app> into `work` (without what installs and builds make), where `../biometric-flow.tgz`
 * is the packed package. The lockfile's integrity for the tarball is dropped: the tarball is this run's.
 */
export function copyApp(examples: string, app: string, work: string): string {
  const target = join(work, app);
  const skip = new Set(['node_modules', 'dist', '.next', '.angular', '.nuxt', '.output', 'vendor', 'next-env.d.ts']);
  cpSync(join(examples, app), target, {
    recursive: true,
    filter: (source) => !skip.has(source.slice(join(examples, app).length + 1).split('/')[0]!),
  });
  const lockPath = join(target, 'package-lock.json');
  if (existsSync(lockPath)) {
    const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages: Record<string, { integrity?: string }> };
    delete lock.packages['node_modules/biometric-flow']?.integrity;
    writeFileSync(lockPath, JSON.stringify(lock, null, 2));
  }
  return target;
}

/** Replaces the emulator's default address in the app's files with this run's emulator. */
export function pointAtEmulator(file: string, emulatorUrl: string): void {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes('http://127.0.0.1:8790'), `${file} names the emulator's default address`);
  writeFileSync(file, text.replaceAll('http://127.0.0.1:8790', emulatorUrl));
}

export interface Verdict {
  /** The text the app showed once `finished` fired. */
  shown: string;
  /** The `Biometric-Status-Token` header of each status request, and its answer's HTTP status. */
  statusRequests: { token: string | undefined; status: number }[];
  errors: string[];
}

/**
 * Opens the app's page, starts the flow with the element's own button, walks the hosted flow and
 * waits for the app to show the outcome it got from `finished` (`Outcome: passed`).
 */
export async function reachFinished(browser: Browser, url: string, technologies: readonly string[]): Promise<Verdict> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
    const errors: string[] = [];
    page.on('console', (message) => {
      // A failed load is listed below with its URL.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
    });
    page.on('response', (response) => {
      // Chromium asks every site for /favicon.ico; none of the examples has one.
      if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') errors.push(`${response.status()} ${response.url()}`);
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const statusRequests: Verdict['statusRequests'] = [];
    page.on('response', async (response) => {
      if (new URL(response.url()).pathname !== '/api/biometric/status') return;
      const headers = await response.request().allHeaders();
      statusRequests.push({ token: headers['biometric-status-token'], status: response.status() });
    });
    await page.goto(url);
    await page.locator('biometric-flow').getByRole('button', { name: 'Verify your identity', exact: true }).click();
    await passFlow(page.frameLocator('biometric-flow iframe[part~="frame"]'), technologies);
    const shown = page.getByText(/^Outcome: /);
    await shown.waitFor();
    return { shown: (await shown.textContent())!.trim(), statusRequests, errors };
  } finally {
    await context.close();
  }
}

/**
 * Checks that the app serves its page with the headers `securityHeaders()` gives for the flow at
 * `flowBaseUrl`: the flow's frame allowed by the CSP, the camera delegated to it.
 */
export async function assertSecurityHeaders(pageUrl: string, flowBaseUrl: string): Promise<void> {
  const response = await fetch(pageUrl);
  await response.arrayBuffer();
  assert.equal(response.status, 200, pageUrl);
  const origin = new URL(flowBaseUrl).origin;
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, new RegExp(`(^|;)\\s*frame-src [^;]*${origin.replace(/[.]/g, '\\.')}`), `CSP of ${pageUrl}: ${csp}`);
  assert.match(csp, /(^|;)\s*connect-src 'self'/, `CSP of ${pageUrl}: ${csp}`);
  const permissions = response.headers.get('permissions-policy') ?? '';
  assert.ok(permissions.includes(`camera=(self "${origin}")`), `Permissions-Policy of ${pageUrl}: ${permissions}`);
}

/** The checks every app must pass once the flow ended. */
export function assertPassed(verdict: Verdict): void {
  assert.equal(verdict.shown, 'Outcome: passed', 'the app shows the outcome of its finished handler');
  assert.ok(verdict.statusRequests.length > 0, 'the element asked the status endpoint');
  for (const request of verdict.statusRequests) {
    assert.match(request.token ?? '', /\S{20,}/, 'each status request carries the Biometric-Status-Token header');
  }
  assert.ok(verdict.statusRequests.some((request) => request.status === 200), `a status request was answered 200: ${JSON.stringify(verdict.statusRequests)}`);
  assert.deepEqual(verdict.errors, [], 'no console errors');
}

/** What a page's `finished` listener heard of a `finished` dispatched by hand, after hydration and after one more render. */
export interface HydrationListening {
  afterHydration: string | undefined;
  afterRenderAgain: string | undefined;
}

/**
 * Opens a page whose client component marks `<html data-hydrated>` in an effect and writes what its
 * `onfinished` heard to `<html data-outcome>`; dispatches `finished` on its `<biometric-flow>` once
 * hydrated, then again after pressing "Render again" (a client render of the element).
 */
export async function listenAfterHydration(browser: Browser, url: string): Promise<HydrationListening> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    await page.goto(url);
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    const dispatchAndRead = (outcome: string) =>
      page.evaluate((outcome) => {
        const element = document.querySelector('biometric-flow')!;
        element.dispatchEvent(new CustomEvent('finished', { detail: { sessionId: 'hand', technologies: [], via: 'message', outcome }, bubbles: true, composed: true }));
        return document.documentElement.dataset.outcome;
      }, outcome);
    const afterHydration = await dispatchAndRead('passed');
    await page.getByRole('button', { name: /^Render again/ }).click();
    await page.getByRole('button', { name: 'Render again (2)' }).waitFor();
    const afterRenderAgain = await dispatchAndRead('failed');
    return { afterHydration, afterRenderAgain };
  } finally {
    await context.close();
  }
}
