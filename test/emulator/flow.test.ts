import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { FLOW_PAGE_SCRIPT } from '../../src/emulator/flow-page-script.js';
import {
  OTHER_VALID_IIN,
  PNG_BASE64,
  VALID_IIN,
  VALID_PHONE,
  createSession,
  getJson,
  manualClock,
  resultUrl,
  sendEvent,
  walkSession,
} from './helpers.js';

async function page(url: string) {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** The configuration the flow page embeds for its script. */
function flowConfig(html: string) {
  const json = /<script type="application\/json" id="flow-config">([^<]*)<\/script>/.exec(html)?.[1];
  assert.ok(json, 'no flow-config in the page');
  return JSON.parse(json);
}

describe('hosted flow page', { timeout: 20_000 }, () => {
  const clock = manualClock();
  let emulator: Emulator;

  before(async () => {
    emulator = await startEmulator({ now: clock.now, sessionTtlMs: 60_000 });
  });
  after(() => emulator.close());

  it('serves a framable page for a new session, in Russian by default', async () => {
    const id = (await createSession(emulator)).body.session_id;
    const result = await page(`${emulator.url}/flow/${id}?web_view=true`);
    assert.equal(result.status, 200);
    assert.match(result.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(result.headers.get('x-frame-options'), null);
    const csp = result.headers.get('content-security-policy') ?? '';
    assert.doesNotMatch(csp, /frame-ancestors/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce);
    assert.ok(result.html.includes(`<script nonce="${nonce}">`));
    assert.match(result.html, /<html lang="ru">/);
    assert.match(result.html, /Верификация личности/);
    assert.ok(result.html.includes(`data-session-id="${id}"`));
  });

  it('speaks Kazakh with locale=kz and English with locale=en', async () => {
    const id = (await createSession(emulator)).body.session_id;
    assert.match((await page(`${emulator.url}/flow/${id}?locale=kz`)).html, /<html lang="kk">[\s\S]*Жеке басты растау/);
    assert.match((await page(`${emulator.url}/flow/${id}?locale=en`)).html, /<html lang="en">[\s\S]*Identity verification/);
  });

  it('gives each response its own nonce', async () => {
    const id = (await createSession(emulator)).body.session_id;
    const [a, b] = await Promise.all([page(`${emulator.url}/flow/${id}`), page(`${emulator.url}/flow/${id}`)]);
    assert.notEqual(a.headers.get('content-security-policy'), b.headers.get('content-security-policy'));
  });

  it('puts no metadata in the page: a step gets what it needs when its window starts it', async () => {
    const custom = await startEmulator({ flows: [{ name: 'ED', technologies: ['ED', 'F2F'] }] });
    try {
      const edocument = { iin: { value: VALID_IIN }, phone: { value: VALID_PHONE } };
      const created = await createSession(custom, { edocument, face2face: { photo1: PNG_BASE64 } });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const id = created.body.session_id;
      const html = (await page(`${custom.url}/flow/${id}`)).html;
      for (const secret of [VALID_IIN, VALID_PHONE, PNG_BASE64]) assert.ok(!html.includes(secret), `${secret} is in the page`);
      const config = flowConfig(html);
      assert.deepEqual(config.technologies, ['ED', 'F2F']);
      assert.equal('edocument' in config || 'photo1' in config, false);

      const ed = await sendEvent(custom, id, { type: 'technology.start', technology_code: 'ED', attempt: 'tab-1' });
      assert.equal(ed.status, 200);
      assert.deepEqual(ed.body.edocument, { iin: { value: VALID_IIN }, phone: { value: VALID_PHONE }, skip_input: false });
      // Another window gets nothing, and neither does anyone once the session is claimed.
      const other = await sendEvent(custom, id, { type: 'technology.start', technology_code: 'ED', attempt: 'tab-2' });
      assert.equal(other.status, 409);
      assert.equal('edocument' in other.body, false);
      assert.equal((await page(`${custom.url}/flow/${id}`)).status, 409);

      const details = { iin: VALID_IIN, phone: VALID_PHONE };
      await sendEvent(custom, id, { type: 'technology.end', technology_code: 'ED', success: true, details, attempt: 'tab-1' });
      const f2f = await sendEvent(custom, id, { type: 'technology.start', technology_code: 'F2F', attempt: 'tab-1' });
      assert.equal(f2f.body.photo1, PNG_BASE64);
      assert.equal('edocument' in f2f.body, false);
    } finally {
      await custom.close();
    }
  });

  it('lets the window that claimed a session open it again where it is (its attempt in a cookie), and no other', async () => {
    const custom = await startEmulator({ flows: [{ name: 'ED', technologies: ['LD', 'ED'] }] });
    try {
      const edocument = { iin: { value: VALID_IIN }, phone: { value: VALID_PHONE } };
      const id = (await createSession(custom, { edocument })).body.session_id;
      const attempt = flowConfig((await page(`${custom.url}/flow/${id}`)).html).attempt as string;
      await sendEvent(custom, id, { type: 'technology.start', technology_code: 'LD', attempt });
      await sendEvent(custom, id, { type: 'technology.end', technology_code: 'LD', success: true, attempt });
      await sendEvent(custom, id, { type: 'technology.start', technology_code: 'ED', attempt });

      const again = await fetch(`${custom.url}/flow/${id}?web_view=true&locale=en`, { headers: { cookie: `flow_attempt=${attempt}` } });
      assert.equal(again.status, 200);
      const config = flowConfig(await again.text());
      assert.equal(config.attempt, attempt, 'the same attempt, whose events are accepted');
      assert.deepEqual(config.resume, {
        index: 1,
        running: true,
        edocument: { iin: { value: VALID_IIN }, phone: { value: VALID_PHONE }, skip_input: false },
      });
      const other = await fetch(`${custom.url}/flow/${id}`, { headers: { cookie: 'flow_attempt=someone-else' } });
      assert.equal(other.status, 409);
      assert.equal((await page(`${custom.url}/flow/${id}`)).status, 409);
      const fresh = flowConfig((await page(`${custom.url}/flow/${(await createSession(custom)).body.session_id}`)).html);
      assert.equal(fresh.resume, null);
    } finally {
      await custom.close();
    }
  });

  it('gives a fixed IIN and phone to the page only masked', async () => {
    const custom = await startEmulator({ flows: [{ name: 'ED', technologies: ['ED'] }] });
    try {
      const metadata = {
        edocument: {
          iin: { value: VALID_IIN, changeable: false },
          phone: { value: VALID_PHONE, changeable: false },
          skip_input: true,
        },
      };
      const id = (await createSession(custom, metadata)).body.session_id;
      const start = await sendEvent(custom, id, { type: 'technology.start', technology_code: 'ED' });
      assert.equal(start.status, 200);
      assert.deepEqual(start.body.edocument, {
        iin: { masked: '********0017' },
        phone: { masked: '7701*****67' },
        skip_input: true,
      });
      const raw = JSON.stringify(start.body);
      assert.ok(!raw.includes(VALID_IIN.slice(0, 6)) && !raw.includes(VALID_PHONE), raw);
    } finally {
      await custom.close();
    }
  });

  it('records the fixed E-Document values, whatever the page reports for them', async () => {
    const custom = await startEmulator({ flows: [{ name: 'ED', technologies: ['ED'] }] });
    try {
      const metadata = { edocument: { iin: { value: VALID_IIN, changeable: false }, phone: { value: VALID_PHONE } } };
      const id = (await createSession(custom, metadata)).body.session_id;
      await sendEvent(custom, id, { type: 'technology.start', technology_code: 'ED' });
      const reported = { iin: OTHER_VALID_IIN, phone: '77017654321' };
      const end = await sendEvent(custom, id, { type: 'technology.end', technology_code: 'ED', success: true, details: reported });
      assert.equal(end.status, 200, JSON.stringify(end.body));
      const result = await getJson(resultUrl(custom, id));
      assert.equal(result.body.edocument_result.iin, VALID_IIN);
      assert.equal(result.body.edocument_result.phone, '77017654321');
    } finally {
      await custom.close();
    }
  });

  it('ships a browser script that parses', () => {
    assert.doesNotThrow(() => new vm.Script(FLOW_PAGE_SCRIPT, { filename: 'flow-page-script.js' }));
    assert.ok(!FLOW_PAGE_SCRIPT.includes('${'));
  });

  it('shows a 404 page for an unknown or malformed session id', async () => {
    const unknown = await page(`${emulator.url}/flow/3fa85f64-5717-4562-b3fc-2c963f66afa6`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.html, /Сессия не найдена/);
    const malformed = await page(`${emulator.url}/flow/not-a-uuid%3Cscript%3E?locale=en`);
    assert.equal(malformed.status, 404);
    assert.match(malformed.html, /Session not found/);
    assert.doesNotMatch(malformed.html, /<script>/);
  });

  it('shows the localized finished page', async () => {
    const ru = await page(`${emulator.url}/finished`);
    assert.equal(ru.status, 200);
    assert.match(ru.html, /Проверка завершена/);
    assert.match((await page(`${emulator.url}/finished?locale=en`)).html, /You can close this window/);
  });

  it('says the session was already used once it ended', async () => {
    const id = (await createSession(emulator)).body.session_id;
    assert.equal((await walkSession(emulator, id, ['LD', 'F2F'])).status, 'FINISHED');
    const again = await page(`${emulator.url}/flow/${id}?locale=en`);
    assert.equal(again.status, 410);
    assert.match(again.html, /already used/);
    assert.equal((await sendEvent(emulator, id, { type: 'flow.end' })).status, 409);
  });

  it('says the session is in progress once another window started it', async () => {
    const id = (await createSession(emulator)).body.session_id;
    await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'LD', attempt: 'tab-1' });
    const again = await page(`${emulator.url}/flow/${id}?locale=en`);
    assert.equal(again.status, 409);
    assert.match(again.html, /already in progress/);
    const other = await sendEvent(emulator, id, { type: 'technology.end', technology_code: 'LD', success: true, attempt: 'tab-2' });
    assert.equal(other.status, 409);
    assert.equal(other.body.code, 'session_in_progress');
    const same = await sendEvent(emulator, id, { type: 'technology.end', technology_code: 'LD', success: true, attempt: 'tab-1' });
    assert.equal(same.status, 200);
  });

  it('says the session expired after its lifetime, and reports it FAILED', async () => {
    const id = (await createSession(emulator)).body.session_id;
    clock.advance(60_000);
    const expired = await page(`${emulator.url}/flow/${id}?locale=en`);
    assert.equal(expired.status, 410);
    assert.match(expired.html, /expired/);
    const event = await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'LD' });
    assert.equal(event.status, 410);
    const result = await getJson(resultUrl(emulator, id));
    assert.equal(result.body.status, 'FAILED');
    assert.deepEqual(result.body.flow_session_failure_reasons, ['session_expired']);
  });
});

describe('flow events', { timeout: 20_000 }, () => {
  let emulator: Emulator;

  before(async () => {
    emulator = await startEmulator({ flows: [{ name: 'three steps', technologies: ['LD', 'ED', 'NEWTECH'] }] });
  });
  after(() => emulator.close());

  it('walks a session to FINISHED, unknown technologies included', async () => {
    const id = (await createSession(emulator)).body.session_id;
    const end = await walkSession(emulator, id, ['LD', 'ED', 'NEWTECH']);
    assert.equal(end.status, 'FINISHED');
    const snapshot = emulator.sessions.get(id)!;
    assert.equal(snapshot.phase, 'finished');
    assert.deepEqual(
      snapshot.outcomes.map((o) => [o.code, o.success]),
      [
        ['LD', true],
        ['ED', true],
        ['NEWTECH', true],
      ],
    );
  });

  it('refuses events out of order and duplicates', async () => {
    const id = (await createSession(emulator)).body.session_id;
    const wrongFirst = await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'ED' });
    assert.equal(wrongFirst.status, 409);
    assert.equal(wrongFirst.body.code, 'out_of_order');
    assert.equal((await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'LD' })).status, 200);
    assert.equal((await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'LD' })).status, 409);
    assert.equal((await sendEvent(emulator, id, { type: 'flow.end' })).status, 409);
    const end = { type: 'technology.end', technology_code: 'LD', success: true };
    assert.equal((await sendEvent(emulator, id, end)).status, 200);
    assert.equal((await sendEvent(emulator, id, end)).status, 409);
  });

  it('accepts only flow.end after a failed technology, and fails the session', async () => {
    const id = (await createSession(emulator)).body.session_id;
    await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'LD' });
    await sendEvent(emulator, id, { type: 'technology.end', technology_code: 'LD', success: false, failure_reason: 'camera_denied' });
    assert.equal((await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'ED' })).status, 409);
    const end = await sendEvent(emulator, id, { type: 'flow.end' });
    assert.equal(end.body.status, 'FAILED');
    const result = await getJson(resultUrl(emulator, id));
    assert.deepEqual(result.body.flow_session_failure_reasons, ['LD: camera_denied']);
    assert.deepEqual(result.body.liveness_result.failure_reason, { type: 'NO_CAM', detail: 'camera_denied' });
  });

  it('records the E-Document fields the page confirmed', async () => {
    const id = (await createSession(emulator)).body.session_id;
    await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'LD' });
    await sendEvent(emulator, id, { type: 'technology.end', technology_code: 'LD', success: true });
    await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'ED' });
    const details = { iin: '900101300017', phone: '77011234567' };
    await sendEvent(emulator, id, { type: 'technology.end', technology_code: 'ED', success: true, details });
    const result = await getJson(resultUrl(emulator, id));
    assert.equal(result.body.status, 'PROGRESS');
    assert.equal(result.body.edocument_result.iin, details.iin);
    assert.equal(result.body.edocument_result.phone, details.phone);
  });

  it('answers 400 to a malformed event and 404 to an unknown session', async () => {
    const id = (await createSession(emulator)).body.session_id;
    const bad = await sendEvent(emulator, id, { type: 'technology.end', technology_code: 'LD' });
    assert.equal(bad.status, 400);
    assert.ok(bad.body.errors.some((e: { path: string }) => e.path === 'success'));
    const unknown = await sendEvent(emulator, '3fa85f64-5717-4562-b3fc-2c963f66afa6', { type: 'flow.end' });
    assert.equal(unknown.status, 404);
  });

  it('refuses events posted from another origin', async () => {
    const id = (await createSession(emulator)).body.session_id;
    const response = await fetch(`${emulator.url}/flow/${id}/events`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'technology.start', technology_code: 'LD' }),
    });
    assert.equal(response.status, 403);
    await response.body?.cancel();
    assert.equal(emulator.sessions.get(id)!.phase, 'created');
  });
});
