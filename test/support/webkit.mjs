// WebKitGTK for Web Test Runner: a launcher that owns its WebDriver server. `WebKitWebDriver` runs under
// `xvfb-run` as a child of the test runner, started before the first session and stopped with the runner,
// also when the run fails or is interrupted. webdriverio is given a host and port, so it never looks for
// (or downloads) a driver of its own.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebdriverLauncher } from '@web/test-runner-webdriver';
import { MINIBROWSER_PATH, WEBKIT_DRIVER_PATH, XVFB_RUN_PATH } from './browsers.mjs';

const DRIVER_START_TIMEOUT = 20_000;
const SIGNALS = ['SIGTERM', 'SIGHUP'];
// Room for the largest viewport a test asks for, with the browser's own chrome around it.
const SCREEN = '1920x1200x24';
// MiniBrowser's toolbar keeps its window at least 447 px wide; shrunk to nothing, phone widths fit.
// GTK styles only the browser's own widgets: WebKit draws the page's controls itself.
const TOOLBAR_CSS = '* { font-size: 1px; padding: 0; margin: 0; min-width: 0; min-height: 0; border-width: 0; }';

/** A port nobody listens on now (WebKitWebDriver cannot be given port 0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the driver answers `/status` as ready; rejects if it exits or takes too long. */
async function driverReady(child, port, output) {
  const deadline = Date.now() + DRIVER_START_TIMEOUT;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`WebKitWebDriver exited before it was ready:\n${output.join('')}`);
    }
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(1000) });
      const body = await answer.json();
      if (body?.value?.ready) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`WebKitWebDriver did not answer on port ${port} within ${DRIVER_START_TIMEOUT} ms:\n${output.join('')}`);
}

class WebKitLauncher extends WebdriverLauncher {
  #driver;
  #home;
  #killOnExit = () => this.#kill();
  // Web Test Runner stops its browsers on SIGINT and on exit; a SIGTERM or SIGHUP would end Node without
  // either, leaving the driver behind: stop it, then let the signal do what it would have done.
  #killOnSignal = (signal) => {
    this.#kill();
    process.kill(process.pid, signal);
  };

  constructor() {
    super({
      hostname: '127.0.0.1',
      port: 0,
      logLevel: 'error',
      capabilities: {
        browserName: 'MiniBrowser',
        // WebKitGTK speaks WebDriver classic only; without this webdriverio asks for BiDi.
        'wdio:enforceWebDriverClassic': true,
        'webkitgtk:browserOptions': {
          binary: MINIBROWSER_PATH,
          args: ['--automation', '--enable-mock-capture-devices=true', '--enable-media-stream=true', '--javascript-can-open-windows-automatically=true'],
        },
      },
    });
  }

  async initialize(config, testFiles) {
    const port = await freePort();
    const output = [];
    // A fresh home for each run: the browser's storage and caches start empty and go with it. The X
    // authority file is kept here too (xvfb-run's own temporary directory would outlive a killed xvfb-run).
    const home = mkdtempSync(join(tmpdir(), 'biometric-flow-webkit-'));
    this.#home = home;
    mkdirSync(join(home, 'config', 'gtk-3.0'), { recursive: true });
    writeFileSync(join(home, 'config', 'gtk-3.0', 'gtk.css'), TOOLBAR_CSS);
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CACHE_HOME: join(home, 'cache'),
    };
    const args = ['-a', '-f', join(home, 'Xauthority'), '-s', `-screen 0 ${SCREEN}`, WEBKIT_DRIVER_PATH, `--port=${port}`];
    // Its own process group, so that stopping it reaches Xvfb, the driver and the browser it started.
    this.#driver = spawn(XVFB_RUN_PATH, args, { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.#driver.stdout, this.#driver.stderr]) {
      stream.setEncoding('utf8');
      // The last lines only: they say why the driver did not start.
      stream.on('data', (text) => output.push(text) > 50 && output.shift());
    }
    this.#driver.on('error', (error) => output.push(String(error)));
    process.once('exit', this.#killOnExit);
    for (const signal of SIGNALS) process.once(signal, this.#killOnSignal);
    try {
      await driverReady(this.#driver, port, output);
    } catch (error) {
      this.#kill();
      throw error;
    }
    this.options.port = port;
    await super.initialize(config, testFiles);
    this.name = 'WebKit';
  }

  async stop() {
    await super.stop();
    this.#kill();
  }

  /**
   * Resizes the window so that the page's viewport is `width` × `height` CSS pixels: the window size
   * WebDriver sets includes the browser's own chrome, measured and added. The page learns its new size a
   * little after the window has it, so each size is waited for as the page sees it.
   */
  async setViewport(width, height) {
    const driver = this.driver;
    const resize = async (outer) => {
      await driver.setWindowSize(outer[0], outer[1]);
      const deadline = Date.now() + 5000;
      for (;;) {
        const seen = await driver.execute('return [outerWidth, outerHeight, innerWidth, innerHeight]');
        if ((seen[0] === outer[0] && seen[1] === outer[1]) || Date.now() > deadline) return seen;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const fits = (seen) => seen[2] === width && seen[3] === height;
    let seen = await resize([width, height]);
    // A big change of size can still be settling when the page first reports it: a fit must hold a moment.
    for (let tries = 0; tries < 5; tries += 1) {
      if (fits(seen)) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        seen = await driver.execute('return [outerWidth, outerHeight, innerWidth, innerHeight]');
        if (fits(seen)) return;
      }
      seen = await resize([seen[0] + width - seen[2], seen[1] + height - seen[3]]);
    }
    throw new Error(`WebKit gives a ${seen[2]}×${seen[3]} viewport, not ${width}×${height}`);
  }

  #kill() {
    process.off('exit', this.#killOnExit);
    for (const signal of SIGNALS) process.off(signal, this.#killOnSignal);
    const child = this.#driver;
    this.#driver = undefined;
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (this.#home) rmSync(this.#home, { recursive: true, force: true });
    this.#home = undefined;
  }
}

/** WebKitGTK's MiniBrowser through WebKitWebDriver under xvfb-run. */
export function webkitLauncher() {
  return new WebKitLauncher();
}
