import { existsSync } from 'node:fs';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import * as puppeteer from 'puppeteer-core';
import { flowResponse, startFlowOrigin } from './test/support/flow-origin.mjs';
import { countingReporter } from './test/support/counting-reporter.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH, FIREFOX_PATH, MINIBROWSER_PATH, WEBKIT_DRIVER_PATH, XVFB_RUN_PATH } from './test/support/browsers.mjs';
import { webkitLauncher } from './test/support/webkit.mjs';
import { defaultReporter } from '@web/test-runner';


/**
 * All three browsers unless `BROWSERS` picks some (`BROWSERS=webkit`): a missing one is a failure,
 * never a silent skip.
 */
function browsers() {
  const wanted = (process.env.BROWSERS ?? 'chromium,firefox,webkit').split(',');
  const list = [];
  for (const name of wanted) {
    if (name === 'webkit') {
      for (const path of [WEBKIT_DRIVER_PATH, MINIBROWSER_PATH, XVFB_RUN_PATH]) {
        if (!existsSync(path)) {
          throw new Error(`webkit needs ${path}: install it (apt-get install -y webkit2gtk-driver xvfb)`);
        }
      }
      list.push(webkitLauncher());
      continue;
    }
    const path = name === 'firefox' ? FIREFOX_PATH : CHROMIUM_PATH;
    if (!existsSync(path)) {
      throw new Error(`${name} is not installed at ${path}: install it (apt-get install -y chromium firefox-esr)`);
    }
    if (name === 'chromium') {
      list.push(chromeLauncher({ puppeteer, launchOptions: { executablePath: path, headless: true, args: CHROMIUM_ARGS } }));
    } else if (name === 'firefox') {
      list.push(
        chromeLauncher({
          puppeteer,
          launchOptions: {
            browser: 'firefox',
            executablePath: path,
            headless: true,
            extraPrefsFirefox: {
              'media.navigator.streams.fake': true,
              'media.navigator.permission.disabled': true,
              // popups opened by tests are not blocked as a real user's click would be
              'dom.disable_open_during_load': false,
            },
          },
        }),
      );
    } else {
      throw new Error(`unknown browser ${name}`);
    }
  }
  return list;
}

let flowOrigin;

/** Serves the cross-origin flow's address to the tests, and the same flow on this origin. */
const flowOriginPlugin = {
  name: 'flow-origin',
  async serverStart() {
    flowOrigin = await startFlowOrigin();
  },
  async serverStop() {
    await flowOrigin?.close();
  },
  serve(context) {
    if (context.path === '/__test-env.js') {
      return { body: `export const FLOW_ORIGIN = ${JSON.stringify(flowOrigin.origin)};`, type: 'js' };
    }
    const answer = flowResponse(context.path, context.querystring);
    if (answer) {
      for (const [name, value] of Object.entries(answer.headers ?? {})) context.set(name, value);
      return { body: answer.body, type: 'html' };
    }
    return undefined;
  },
};

/**
 * `executeServerCommand('viewport', { width, height })`: the page's viewport in CSS pixels, in every test
 * browser (the stock `setViewport` command knows no WebDriver browser).
 */
const viewportPlugin = {
  name: 'viewport',
  async executeCommand({ command, payload, session }) {
    if (command !== 'viewport') return undefined;
    if (session.browser.type === 'webdriver') await session.browser.setViewport(payload.width, payload.height);
    else await session.browser.getPage(session.id).setViewport(payload);
    return true;
  },
};

export default {
  files: ['test/*.test.ts'],
  nodeResolve: true,
  hostname: '127.0.0.1',
  // One page per browser at a time: a second tab is a background tab, where animation frames stop and
  // focus cannot be had, and the focus and dialog tests need both. Two browsers run side by side: a third
  // on two cores made the timing tests of the others flaky.
  concurrency: 1,
  concurrentBrowsers: 2,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 120_000,
  testFramework: { config: { timeout: 10_000 } },
  browsers: browsers(),
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json' }), flowOriginPlugin, viewportPlugin],
  // Lit announces its development build once per page; everything else a page logs is shown.
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
  reporters: [defaultReporter(), countingReporter()],
};
