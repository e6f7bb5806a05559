// The React Native example's URL decisions (examples/react-native/flow-links.ts), which docs/native.md
// shows and the other platforms' code mirrors: the end by origin and exact path, only the flow's own
// pages in the web view, the backend's answer checked, the verdict read as the server package defines it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideNavigation, flowPlaces, isFinishedUrl, parseFlowSession, verdictOf } from '../../examples/react-native/flow-links.js';

const ID = '3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f';
const FLOW_URL = `https://remote.biometric.kz/flow/${ID}?web_view=true&locale=kz`;
const places = flowPlaces(FLOW_URL);

describe('flow-links: where the flow lives and ends', () => {
  it('finds the finished page beside /flow, under a base path too', () => {
    assert.equal(places.origin, 'https://remote.biometric.kz');
    assert.equal(places.finished.href, 'https://remote.biometric.kz/finished');
    assert.equal(flowPlaces(`https://flow.example/kyc/flow/${ID}?web_view=true`).finished.href, 'https://flow.example/kyc/finished');
  });

  it('sees the end on the same origin and exact path, with a trailing slash, a query or a hash', () => {
    for (const url of ['/finished', '/finished/', '/finished?locale=ru', '/finished#done']) {
      assert.equal(isFinishedUrl(`https://remote.biometric.kz${url}`, places), true, url);
    }
  });

  it('does not take a URL that merely contains "finished" for the end', () => {
    for (const url of [
      'https://remote.biometric.kz/finished-not',
      'https://remote.biometric.kz/x/finished',
      `https://remote.biometric.kz/flow/${ID}?next=/finished`,
      'https://evil.example/finished',
      'http://remote.biometric.kz/finished',
      'https://remote.biometric.kz.evil.example/finished',
      'not a url',
    ]) {
      assert.equal(isFinishedUrl(url, places), false, url);
    }
  });

  it("loads only the flow's own pages, hands everything else to the system", () => {
    assert.equal(decideNavigation(FLOW_URL, places), 'load');
    assert.equal(decideNavigation('https://remote.biometric.kz/static/app.js', places), 'load');
    assert.equal(decideNavigation('about:blank', places), 'load');
    assert.equal(decideNavigation('https://remote.biometric.kz/finished?locale=kz', places), 'finished');
    for (const url of ['egov-mobile-emulated://open', 'intent://open#Intent;scheme=egov;end', 'tel:1414', 'https://egov.kz/', 'javascript:alert(1)', 'garbage']) {
      assert.equal(decideNavigation(url, places), 'system', url);
    }
  });
});

describe("flow-links: the backend's answers", () => {
  const answer = { session_id: ID, flow_url: FLOW_URL, status_token: 't', expires_at: '2030-01-01T00:00:00.000Z', technologies: ['LD'] };

  it('takes a session answer with a flow URL for its own session', () => {
    assert.deepEqual(parseFlowSession(answer), { session_id: ID, flow_url: FLOW_URL, status_token: 't', expires_at: answer.expires_at });
    const local = { ...answer, flow_url: `http://127.0.0.1:8790/flow/${ID}?web_view=true&locale=ru` };
    assert.equal(parseFlowSession(local).flow_url, local.flow_url, 'plain http on loopback, for the emulator');
  });

  it('refuses an answer without its fields, or whose flow_url is not https or not this session', () => {
    for (const broken of [
      null,
      { ...answer, flow_url: undefined },
      { ...answer, status_token: 7 },
      { ...answer, flow_url: `http://remote.biometric.kz/flow/${ID}` },
      { ...answer, flow_url: 'https://remote.biometric.kz/flow/00000000-0000-4000-8000-000000000000' },
      { ...answer, flow_url: `javascript:alert(1)//flow/${ID}` },
    ]) {
      assert.throws(() => parseFlowSession(broken), Error, JSON.stringify(broken));
    }
  });

  it('reads passed only from FINISHED with a true result; failed from FAILED or a false result; else pending', () => {
    assert.equal(verdictOf({ status: 'FINISHED', result: { flow_session_result: true } }), 'passed');
    assert.equal(verdictOf({ status: 'FINISHED', result: { flow_session_result: false } }), 'failed');
    assert.equal(verdictOf({ status: 'FAILED' }), 'failed');
    for (const pending of [{ status: 'PENDING' }, { status: 'PROGRESS' }, { status: 'FINISHED' }, { status: 'SOMETHING_NEW', result: {} }, {}]) {
      assert.equal(verdictOf(pending), 'pending', JSON.stringify(pending));
    }
  });
});
