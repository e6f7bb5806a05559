// Where the element's time to the flow's first byte goes, from a Chromium trace (`page.tracing`), not a
// guess: `node bench/trace-flow.mjs [--rounds=N] [--rtt=80] [--mode=inline]` runs the element (and the
// hand-written fetch + frame, alternating) on the realistic network of bench/network.mjs and prints, per
// step, the median time since the click on the browser's one clock: the session request sent and
// answered, the warm frame and the flow frame put in the DOM, their requests started, the connection's
// TCP and TLS, the flow request written to the socket, and its first byte. `--each` prints every run's
// steps as well; `--tasks=N` the page's main-thread work in the first N ms.
//
// What it showed (Chromium, inline, 80 ms RTT, 15 rounds, medians; physical limit 240 ms):
//   0 → 3 ms     the click's task: start() sends the session request (written to its socket at ~3 ms)
//                and puts the warm frame in right after it;
//   → ~20 ms     the warm frame's request starts: ~6 ms in the renderer making the frame (a synchronous
//                call to the browser and the frame's first empty document), ~10 ms on the browser's UI
//                thread (the navigation, a speculative frame host and a process for the flow's site,
//                throttles) before its loader runs. It was 28 ms while the frame went in on a task of its
//                own, which ran after the page's next paint. A frame put in before the fetch starts ~4 ms
//                sooner but holds the session request back ~10 ms (written at 14 ms). Nothing cheaper
//                reaches the flow frame's connection partition: the page's preconnect is not reused.
//   → ~185 ms    TCP and TLS 1.3: 2 RTT + ~5 ms, as Node alone takes through the same proxy;
//   ~110 ms      meanwhile the session answer, the flow frame at ~115 ms, its request waiting for the
//                connection;
//   → ~186 ms    the flow request written, within 1 ms of the connection;
//   → ~270 ms    the first byte: 1 RTT + ~3 ms.
// So of the ~30 ms over the limit, ~20 are the browser making a cross-site frame (not the element's code:
// its click task is 3 ms) and ~8 the set-up's own floor (Node: 254-257 ms for a cold first byte at 80 ms).
// A trace also found a bench artefact: with Nagle on the proxy's sockets, a connection's second small
// chunk waited for a delayed ACK, and 4 of 9 warm flows came 40 ms late (fixed in network.mjs).
// Popups (`--mode=popup`): window.open blocks the click's task ~60-140 ms under tracing, so the session
// request goes before it (see src/run/run.ts).
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/support/browsers.mjs';
import { makeCertificate, startNetworkServers } from './network.mjs';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const ROUNDS = Number(arg('rounds', '9'));
const RTT = Number(arg('rtt', '80'));
const MODE = arg('mode', 'inline');
const KINDS = arg('kinds', 'element,baseline-warm-frame,baseline').split(',');
/** `--tasks=N`: also print each kind's first run's main-thread work in the first N ms after the click. */
const TASKS_MS = Number(arg('tasks', '0'));
const median = (values) => {
  const sorted = values.filter((v) => v !== undefined && !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const { cert, key, spkiHash } = makeCertificate();
const servers = await startNetworkServers({ sessionDelayMs: 100, cert, key });
servers.setRtt(RTT);
const hosts = [new URL(servers.page).hostname, new URL(servers.flow).hostname];
const browser = await puppeteer.launch({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [...CHROMIUM_ARGS, `--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`, `--ignore-certificate-errors-spki-list=${spkiHash}`],
});

/** One run's steps, in ms since the click, read from the trace. */
function steps(trace) {
  const events = JSON.parse(new TextDecoder().decode(trace)).traceEvents;
  const click = events.find((e) => e.name === 'bench:click')?.ts;
  if (click === undefined) throw new Error('no bench:click mark in the trace');
  const at = (ts) => (ts === undefined ? undefined : (ts - click) / 1000);
  const mark = (name) => at(events.find((e) => e.name === name && e.cat?.includes('user_timing'))?.ts);
  const sent = events.filter((e) => e.name === 'ResourceSendRequest');
  const responses = events.filter((e) => e.name === 'ResourceReceiveResponse');
  const finishes = events.filter((e) => e.name === 'ResourceFinish');
  const request = (test) => {
    const send = sent.find((e) => test(e.args.data.url));
    if (!send) return {};
    const id = send.args.data.requestId;
    const response = responses.find((e) => e.args.data.requestId === id);
    const timing = response?.args.data.timing;
    const base = timing ? timing.requestTime * 1e6 : undefined;
    const rel = (ms) => (timing && ms >= 0 ? at(base + ms * 1000) : undefined);
    const finish = finishes.find((e) => e.args.data.requestId === id);
    return {
      send: at(send.ts),
      start: timing ? at(base) : undefined,
      connectStart: rel(timing?.connectStart),
      sslStart: rel(timing?.sslStart),
      connectEnd: rel(timing?.connectEnd),
      sendStart: rel(timing?.sendStart),
      firstByte: rel(timing?.receiveHeadersEnd),
      finish: finish ? at(finish.args.data.finishTime * 1e6) : undefined,
    };
  };
  const clickEvent = events.find((e) => e.name === 'bench:click');
  const tasks = events
    .filter((e) => e.pid === clickEvent.pid && e.tid === clickEvent.tid && e.ph === 'X' && e.dur >= 500 && e.ts >= click - 2000 && e.ts <= click + TASKS_MS * 1000)
    .map((e) => `${at(e.ts).toFixed(1).padStart(7)} ms  ${(e.dur / 1000).toFixed(1).padStart(5)} ms  ${e.name}${e.args?.data?.url ? ` ${e.args.data.url.slice(0, 60)}` : ''}${e.args?.data?.functionName ? ` ${e.args.data.functionName}` : ''}`);
  return {
    tasks,
    session: request((url) => url.endsWith('/session')),
    warm: request((url) => url.endsWith('/favicon.ico') || url.endsWith('/no-content')),
    flow: request((url) => url.includes('/flow/')),
    warmFrameInDom: mark('bench:warm-frame'),
    flowFrameInDom: mark('bench:flow-frame'),
  };
}

try {
  const page = await browser.newPage();
  await page.goto(`${servers.page}/bench/network.html`);
  await page.evaluate(() => window.ready);
  // Marks on the trace's clock: the click, and each frame as it enters the element's shadow root or the page.
  await page.evaluate(() => {
    const seen = new WeakSet();
    const look = (root) => {
      for (const frame of root.querySelectorAll('iframe')) {
        if (seen.has(frame)) continue;
        seen.add(frame);
        performance.mark(frame.src.endsWith('/favicon.ico') ? 'bench:warm-frame' : 'bench:flow-frame');
      }
      for (const el of root.querySelectorAll('biometric-flow')) if (el.shadowRoot) look(el.shadowRoot);
    };
    const observer = new MutationObserver(() => look(document));
    window.observeShadow = (el) => observer.observe(el.shadowRoot, { childList: true, subtree: true });
    observer.observe(document.body, { childList: true, subtree: true });
    document.querySelector('#go').addEventListener('click', () => performance.mark('bench:click'), { capture: true });
  });
  const runs = Object.fromEntries(KINDS.map((kind) => [kind, []]));
  for (let round = -1; round < ROUNDS; round++) {
    for (const kind of round % 2 ? KINDS : [...KINDS].reverse()) {
      servers.dropFlowConnections();
      await new Promise((resolve) => setTimeout(resolve, 40));
      await page.evaluate((k, m, flow) => window.arm(k, m, flow), kind, MODE, servers.flow);
      await page.evaluate(() => {
        const el = document.querySelector('biometric-flow');
        if (el) window.observeShadow(el);
      });
      await page.tracing.start({ categories: ['devtools.timeline', 'blink.user_timing', 'loading', 'netlog'] });
      await page.click('#go');
      const result = await page.evaluate(() => window.result);
      const trace = await page.tracing.stop();
      if (result.error) throw new Error(result.error);
      if (round >= 0) runs[kind].push({ page: result, trace: steps(trace) });
    }
  }
  if (TASKS_MS > 0) {
    for (const kind of KINDS) {
      console.log(`trace: ${kind}, first run: the page's main thread, events of 0.5 ms or more, ms since the click`);
      for (const line of runs[kind][0].trace.tasks) console.log(`    ${line}`);
    }
  }
  if (process.argv.includes('--each')) {
    for (const kind of KINDS) {
      console.log(`each run of ${kind}: session written, session done, warm started, warm ready, flow in DOM, flow started, flow written, flow first byte`);
      for (const { trace: t } of runs[kind]) console.log('   ', [t.session.sendStart, t.session.finish, t.warm.start, t.warm.connectEnd, t.flowFrameInDom, t.flow.start, t.flow.sendStart, t.flow.firstByte].map((v) => (v === undefined ? '—' : v.toFixed(0)).padStart(5)).join(''));
    }
  }
  console.log(`trace: Chromium, ${MODE}, RTT ${RTT} ms, ${ROUNDS} rounds per kind; medians in ms since the click (the trace's clock)`);
  const row = (label, pick) => {
    const cells = KINDS.map((kind) => {
      const value = median(runs[kind].map(pick));
      return (value === undefined ? '—' : value.toFixed(0)).padStart(12);
    });
    console.log(`  ${label.padEnd(52)}${cells.join('')}`);
  };
  console.log(`  ${''.padEnd(52)}${KINDS.map((kind) => kind.slice(0, 11).padStart(12)).join('')}`);
  row('session request sent', (r) => r.trace.session.send);
  row('session answer: first byte', (r) => r.trace.session.firstByte);
  row('session answer: body done', (r) => r.trace.session.finish);
  row('warm frame in the DOM', (r) => r.trace.warmFrameInDom);
  row('warm request: started', (r) => r.trace.warm.start);
  row('warm request: TCP connect start', (r) => r.trace.warm.connectStart);
  row('warm request: TLS start', (r) => r.trace.warm.sslStart);
  row('warm request: connection ready', (r) => r.trace.warm.connectEnd);
  row('flow frame in the DOM', (r) => r.trace.flowFrameInDom);
  row('flow request: sent (ResourceSendRequest)', (r) => r.trace.flow.send);
  row('flow request: started (network stack)', (r) => r.trace.flow.start);
  row('flow request: connection ready (own connect)', (r) => r.trace.flow.connectEnd);
  row('flow request: written to the socket', (r) => r.trace.flow.sendStart);
  row('flow request: first byte (trace)', (r) => r.trace.flow.firstByte);
  row('flow first byte (page, as the bench reports it)', (r) => r.page.firstByte);
} finally {
  await browser.close();
  await servers.close();
}
