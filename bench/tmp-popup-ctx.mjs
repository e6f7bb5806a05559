import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/support/browsers.mjs';
import { makeCertificate, startNetworkServers } from './network.mjs';
const { cert, key, spkiHash } = makeCertificate();
const servers = await startNetworkServers({ sessionDelayMs: 100, cert, key });
servers.setRtt(80);
const hosts = [new URL(servers.page).hostname, new URL(servers.flow).hostname];
const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, `--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`, `--ignore-certificate-errors-spki-list=${spkiHash}`] });
const kinds = process.argv[2].split(',');
const fresh = process.argv[3] === 'fresh';
const out = Object.fromEntries(kinds.map((k) => [k, []]));
let page;
for (let round = 0; round < 8; round++) for (const kind of kinds) {
  if (fresh || !page) {
    const context = fresh ? await browser.createBrowserContext() : browser.defaultBrowserContext();
    page = await context.newPage();
    await page.goto(`${servers.page}/bench/network.html`);
    await page.evaluate(() => window.ready);
  }
  servers.dropFlowConnections();
  await new Promise((r) => setTimeout(r, 40));
  await page.evaluate((k, f) => window.arm(k, 'popup', f), kind, servers.flow);
  await page.click('#go');
  const r = await page.evaluate(() => window.result);
  out[kind].push(r.firstByte);
  if (fresh) await page.browserContext().close();
}
const med = (v) => v.sort((a, b) => a - b)[v.length >> 1];
for (const k of kinds) console.log(k.padEnd(34), med(out[k]).toFixed(0), out[k].map((v) => v.toFixed(0)).join(' '));
await browser.close(); await servers.close();
