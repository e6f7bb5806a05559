// Popup mode on a page under `Cross-Origin-Opener-Policy: same-origin` (test/support/flow-origin.mjs serves
// one): the page loses its popup as soon as the flow's page arrives, and `closed` reads true while the
// window stays open. That is not a person's close: no `cancelled`.
import { expect, waitUntil } from '@open-wc/testing';

type Report = Record<string, unknown> & { type?: string; detail?: Record<string, unknown>; state?: string };

interface Fixture {
  reports: Report[];
  send(command: string): void;
  /** Asks the fixture what its element shows. */
  describe(): Promise<Report>;
  close(): void;
}

/** Opens the COOP page in a window of its own (COOP applies to top-level pages only). */
async function openFixture(query = ''): Promise<Fixture> {
  const channel = new BroadcastChannel('coop-fixture');
  const reports: Report[] = [];
  channel.onmessage = (event: MessageEvent<Report>) => reports.push(event.data);
  const opened = window.open(`/__fixtures/coop-popup.html${query}`, '_blank', 'popup=yes,width=500,height=500');
  const fixture: Fixture = {
    reports,
    send: (command) => channel.postMessage(command),
    async describe() {
      const before = reports.length;
      channel.postMessage('describe');
      await waitUntil(() => reports.slice(before).some((report) => report.described), 'the fixture describes its element');
      return reports.slice(before).find((report) => report.described)!;
    },
    close() {
      channel.postMessage('close');
      new BroadcastChannel('test-flow').postMessage('close');
      opened?.close();
      channel.close();
    },
  };
  await waitUntil(() => reports.some((report) => report.ready), 'the COOP page is up', { timeout: 5000 });
  return fixture;
}

const typesOf = (reports: Report[]) => reports.filter((report) => report.type).map((report) => report.type);

describe('biometric-flow popup under Cross-Origin-Opener-Policy: same-origin', () => {
  let fixture: Fixture | undefined;
  afterEach(() => {
    fixture?.close();
    fixture = undefined;
  });

  it('keeps waiting by status when the page loses the popup, and finishes on the verdict', async function () {
    this.timeout(40_000);
    fixture = await openFixture('?status');
    const { reports } = fixture;
    // The page really is cut off from the window that opened it.
    expect(reports.find((report) => report.ready)!.opener).to.equal('none');
    await waitUntil(() => reports.some((report) => report.fetch === '/api/status'), 'the status endpoint is asked', { timeout: 15_000 });
    expect(typesOf(reports)).to.not.include('cancelled');
    expect(typesOf(reports)).to.not.include('flow-error');
    const shown = await fixture.describe();
    expect(shown.state).to.equal('loading');
    expect(shown.text).to.include('The verification is open in a separate window.');
    expect(shown.buttons).to.deep.equal(['Cancel']);

    fixture.send('verdict');
    await waitUntil(() => typesOf(reports).includes('finished'), 'finished on the verdict', { timeout: 15_000 });
    const finished = reports.find((report) => report.type === 'finished')!;
    expect(finished.detail).to.include({ via: 'status', outcome: 'passed', status: 'FINISHED' });
    expect(typesOf(reports)).to.not.include('cancelled');
  });

  it('lets the person stop waiting for a lost popup: cancelled, close-button', async function () {
    this.timeout(40_000);
    fixture = await openFixture('?status');
    const { reports } = fixture;
    await waitUntil(() => reports.some((report) => report.fetch === '/api/status'), 'the status endpoint is asked', { timeout: 15_000 });
    expect((await fixture.describe()).buttons).to.deep.equal(['Cancel']);
    fixture.send('cancel');
    await waitUntil(() => typesOf(reports).includes('cancelled'), 'cancelled');
    expect(reports.find((report) => report.type === 'cancelled')!.detail).to.include({ reason: 'close-button' });
  });

  it('reports popup-severed, not cancelled, without a status endpoint', async function () {
    this.timeout(40_000);
    fixture = await openFixture();
    const { reports } = fixture;
    await waitUntil(() => typesOf(reports).includes('flow-error'), 'flow-error', { timeout: 8000 });
    const error = reports.find((report) => report.type === 'flow-error')!;
    expect(error.detail).to.include({ code: 'popup-severed', retryable: false });
    expect(error.state).to.equal('error');
    expect(typesOf(reports)).to.not.include('cancelled');
    const shown = await fixture.describe();
    expect(shown.text).to.equal('This page lost contact with the verification window. The site has to fix this.');
  });
});
