// Where the system browsers are and how Chromium is started, for every suite that drives one: element
// tests, end-to-end tests, the emulator's browser test and the bench. Nothing downloads a browser.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** WebKitGTK's WebDriver (Debian's webkit2gtk-driver): it starts WebKitGTK's MiniBrowser, under xvfb-run. */
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB_RUN_PATH = process.env.XVFB_RUN_PATH ?? '/usr/bin/xvfb-run';

/** As root Chromium needs --no-sandbox; the network flags keep it off a closed network; the camera is fake. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
