// A page whose policies disagree with the element's flow-base-url (issue 25: a flow URL baked in at build
// time while the headers moved on, or the other way round): the console says so once, naming the value and
// the header to change, before the person is left with a broken frame. Each case is a page of its own
// (test/support/flow-origin.mjs, `/__fixtures/policy.html`), served with the headers under test.
import { expect, waitUntil } from '@open-wc/testing';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';

const flowOrigin = FLOW_ORIGIN as string;
const chromium = navigator.userAgent.includes('Chrome/');

interface Report {
  type?: string;
  pressed?: number;
  code?: string;
  message?: string;
  state?: string;
  frames?: number;
  logged?: string;
  fetch?: string;
  aborted?: boolean;
  settled?: boolean;
}

/** What the fixture page said, in order, until `until` holds. */
async function page(query: Record<string, string>, until: (reports: Report[]) => boolean): Promise<Report[]> {
  const reports: Report[] = [];
  let frame: HTMLIFrameElement | undefined;
  const listener = (event: MessageEvent) => {
    if (event.source === frame?.contentWindow && event.data?.fixture === 'policy') reports.push(event.data);
  };
  addEventListener('message', listener);
  frame = document.createElement('iframe');
  frame.allow = 'camera';
  frame.src = `/__fixtures/policy.html?${new URLSearchParams({ flow: flowOrigin, ...query })}`;
  document.body.append(frame);
  try {
    await waitUntil(() => until(reports), `the page reports: ${JSON.stringify(reports)}`, { timeout: 8000 });
    return reports;
  } finally {
    removeEventListener('message', listener);
    frame.remove();
  }
}

const logged = (reports: Report[]) => reports.flatMap((report) => (report.logged === undefined ? [] : [report.logged]));
const errors = (reports: Report[]) => reports.filter((report) => report.type === 'flow-error');

describe('page policies that disagree with flow-base-url', function () {
  // Pages of their own, loaded in a frame: room for a loaded machine.
  this.timeout(20_000);

  describe('Content-Security-Policy frame-src', () => {
    it("the warm-up's refusal ends the start before the session is shown: flow-blocked-by-policy, told once", async () => {
      // The session request never answers: what ends the start is the warm-up frame's refusal.
      const reports = await page({ csp: "frame-src 'self'", hang: '' }, (r) => errors(r).length > 0 && r.some((x) => x.aborted) && logged(r).length > 0);
      expect(errors(reports).map((report) => report.code)).to.deep.equal(['flow-blocked-by-policy']);
      expect(errors(reports)[0]).to.include({ state: 'error', frames: 0 });
      expect(reports.some((report) => report.type === 'session-created'), 'no flow was shown').to.equal(false);
      const [line, ...more] = logged(reports);
      expect(more).to.deep.equal([]);
      expect(line).to.include('<biometric-flow id="policy">: ');
      expect(line).to.include(`does not allow frames of ${flowOrigin} (flow-base-url="${flowOrigin}")`);
      expect(line).to.include(`Fix: add ${flowOrigin} to frame-src`);
      expect(line).to.include('securityHeaders({ flowBaseUrl })');
      expect(line).to.include('NEXT_PUBLIC_');
      expect(line!.endsWith('See https://www.npmjs.com/package/biometric-flow#flow-blocked-by-policy'), line).to.equal(true);
    });

    it('a warm frame a press put in, refused before the start: the start still ends on a refusal before the session is shown', async () => {
      const reports = await page({ csp: "frame-src 'self'", hang: '', press: '' }, (r) => errors(r).length > 0 && r.some((x) => x.aborted));
      expect(reports.find((report) => 'pressed' in report), 'the press put a frame in').to.deep.include({ pressed: 1 });
      expect(errors(reports).map((report) => report.code)).to.deep.equal(['flow-blocked-by-policy']);
      expect(errors(reports)[0]).to.include({ state: 'error', frames: 0 });
      expect(reports.some((report) => report.type === 'session-created'), 'no flow was shown').to.equal(false);
    });

    it("without a warm-up, the flow frame's own refusal ends the start; two starts, one console line", async () => {
      // A default-src fallback, as most pages have it: browsers report it as frame-src.
      const reports = await page(
        { csp: "default-src 'self' 'unsafe-inline'", warm: 'none', starts: '2' },
        (r) => errors(r).length === 2 && logged(r).length > 0,
      );
      expect(errors(reports).map((report) => report.code)).to.deep.equal(['flow-blocked-by-policy', 'flow-blocked-by-policy']);
      // The blocked frame is taken down with the start: the error view stands in its place.
      expect(errors(reports).map((report) => report.frames)).to.deep.equal([0, 0]);
      expect(reports.filter((report) => report.type === 'session-created')).to.have.length(2);
      expect(logged(reports)).to.have.length(1);
      expect(logged(reports)[0]).to.include(`Fix: add ${flowOrigin} to frame-src`);
    });

    it('a frame-src that names the flow origin says nothing', async () => {
      const reports = await page({ csp: "frame-src {flow}; default-src 'self' 'unsafe-inline'" }, (r) => r.some((x) => x.settled));
      expect(errors(reports)).to.deep.equal([]);
      expect(logged(reports)).to.deep.equal([]);
      expect(reports.find((report) => report.settled)).to.include({ state: 'active' });
    });
  });

  describe('Permissions-Policy camera', () => {
    it('camera=(self) lets the frame load but not use the camera: Chromium tells once, naming the header', async () => {
      const reports = await page({ pp: 'camera=(self)' }, (r) => r.some((x) => x.settled));
      // Not a failure of the start: the frame loads, and the flow itself tells the person of the camera.
      expect(errors(reports)).to.deep.equal([]);
      expect(reports.find((report) => report.settled)).to.include({ state: 'active' });
      if (!chromium) {
        // Firefox and WebKit do not apply a Permissions-Policy header to frames: the camera works there.
        expect(logged(reports)).to.deep.equal([]);
        return;
      }
      const [line, ...more] = logged(reports);
      expect(more).to.deep.equal([]);
      expect(line).to.include(`allows the camera to the page but not to ${flowOrigin}, the flow's frame (flow-base-url="${flowOrigin}")`);
      expect(line).to.include(`Fix: send Permissions-Policy: camera=(self "${flowOrigin}")`);
      expect(line).to.include('securityHeaders({ flowBaseUrl })');
      expect(line!.endsWith('See https://www.npmjs.com/package/biometric-flow#camera-not-delegated'), line).to.equal(true);
    });

    for (const pp of ['camera=(self "{flow}")', 'camera=*', '']) {
      it(`${pp || 'no Permissions-Policy'} says nothing`, async () => {
        const reports = await page(pp ? { pp } : {}, (r) => r.some((x) => x.settled));
        expect(errors(reports)).to.deep.equal([]);
        expect(logged(reports)).to.deep.equal([]);
      });
    }
  });
});
