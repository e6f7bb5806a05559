import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FLOWS, startEmulator, type Emulator } from '../../src/emulator/index.js';
import {
  BAD_CHECK_DIGIT_IIN,
  PNG_BASE64,
  UUID_V4,
  VALID_IIN,
  VALID_PHONE,
  getJson,
  postJson,
  resultUrl,
  walkSession,
} from './helpers.js';

const CREATE = '/api/v1/flows/session/create/';

describe('emulator session API', { timeout: 20_000 }, () => {
  let emulator: Emulator;
  let plainKey: string;
  let headPositionKey: string;
  let edocumentKey: string;

  before(async () => {
    emulator = await startEmulator({
      flows: [
        ...DEFAULT_FLOWS,
        { name: 'LDHP + F2F', technologies: ['LDHP', 'F2F'] },
        { name: 'LDHP + ED + F2F', technologies: ['LDHP', 'ED', 'F2F'] },
      ],
    });
    plainKey = emulator.flows[0]!.apiKey;
    headPositionKey = emulator.flows[3]!.apiKey;
    edocumentKey = emulator.flows[4]!.apiKey;
  });
  after(() => emulator.close());

  const create = (body: unknown, contentType?: string | null) => postJson(emulator.url + CREATE, body, contentType);

  describe('default flows', () => {
    it('serves the three flows of the vendor table with 48-character random keys', async () => {
      const defaults = await startEmulator();
      try {
        assert.deepEqual(
          defaults.flows.map((flow) => [flow.name, flow.technologies.join(',')]),
          [
            ['Флоу для всех', 'LD,F2F'],
            ['Флоу для физ. лиц', 'LD,ED,F2F'],
            ['Флоу для юр. лиц', 'LD,DR,F2F'],
          ],
        );
        for (const flow of defaults.flows) assert.match(flow.apiKey, /^[A-Za-z0-9_-]{48}$/);
        assert.equal(new Set(defaults.flows.map((flow) => flow.apiKey)).size, 3);
        assert.ok(DEFAULT_FLOWS.every((flow) => flow.apiKey === undefined));
      } finally {
        await defaults.close();
      }
    });

    it('gives the default flows new keys on every start, and refuses the keys of another run', async () => {
      const [first, second] = await Promise.all([startEmulator(), startEmulator()]);
      try {
        const firstKeys = first.flows.map((flow) => flow.apiKey);
        const secondKeys = second.flows.map((flow) => flow.apiKey);
        assert.ok(firstKeys.every((key) => !secondKeys.includes(key)), `${firstKeys} / ${secondKeys}`);
        const foreign = await postJson(second.url + CREATE, { api_key: firstKeys[0] });
        assert.equal(foreign.status, 401);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });

    it('keeps the keys it is given', async () => {
      const apiKey = 'k'.repeat(48);
      const fixed = await startEmulator({ flows: [{ ...DEFAULT_FLOWS[0]!, apiKey }] });
      try {
        assert.equal(fixed.flows[0]!.apiKey, apiKey);
        assert.equal((await postJson(fixed.url + CREATE, { api_key: apiKey })).status, 200);
      } finally {
        await fixed.close();
      }
    });

    it('generates a key for a custom flow without one', () => {
      assert.ok(headPositionKey.length >= 47);
      assert.notEqual(headPositionKey, edocumentKey);
    });
  });

  describe('the guide’s request examples', () => {
    it('answers the plain example with a uuid v4 session id and the flow’s technologies', async () => {
      const result = await create({ api_key: plainKey });
      assert.equal(result.status, 200);
      assert.match(result.body.session_id, UUID_V4);
      assert.deepEqual(result.body.technologies, ['LD', 'F2F']);
    });

    it('parses the body of the browser example, which is sent without a Content-Type', async () => {
      const result = await create({ api_key: headPositionKey }, null);
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.deepEqual(result.body.technologies, ['LDHP', 'F2F']);
    });

    it('parses a JSON body sent as text/plain', async () => {
      const result = await create({ api_key: plainKey }, 'text/plain;charset=UTF-8');
      assert.equal(result.status, 200);
    });

    it('accepts the Face2Face example with photo1', async () => {
      const result = await create({ api_key: headPositionKey, metadata: { face2face: { photo1: PNG_BASE64 } } });
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.match(result.body.session_id, UUID_V4);
      assert.deepEqual(result.body.technologies, ['LDHP', 'F2F']);
    });

    const cases = {
      'case 1 (both fixed, skip_input)': {
        iin: { value: VALID_IIN, changeable: false },
        phone: { value: VALID_PHONE, changeable: false },
        skip_input: true,
      },
      'case 2 (IIN fixed, phone editable)': {
        iin: { value: VALID_IIN, changeable: false },
        phone: { value: VALID_PHONE },
      },
      'case 3 (both editable)': { iin: { value: VALID_IIN }, phone: { value: VALID_PHONE } },
    };
    for (const [name, edocument] of Object.entries(cases)) {
      it(`accepts the E-Document ${name}`, async () => {
        const result = await create({ api_key: edocumentKey, metadata: { edocument } });
        assert.equal(result.status, 200, JSON.stringify(result.body));
        assert.match(result.body.session_id, UUID_V4);
        assert.deepEqual(result.body.technologies, ['LDHP', 'ED', 'F2F']);
        const snapshot = emulator.sessions.get(result.body.session_id);
        assert.deepEqual(snapshot?.metadata, { edocument });
      });
    }

    it('gives every session its own id', async () => {
      const [a, b] = await Promise.all([create({ api_key: plainKey }), create({ api_key: plainKey })]);
      assert.notEqual(a.body.session_id, b.body.session_id);
    });
  });

  describe('bad requests', () => {
    it('answers 400 with detail when api_key is missing', async () => {
      const result = await create({ metadata: {} });
      assert.equal(result.status, 400);
      assert.equal(typeof result.body.detail, 'string');
      assert.equal(result.body.errors[0].path, 'api_key');
    });

    it('answers 400 to a body that is not JSON', async () => {
      const result = await create('{"api_key": ');
      assert.equal(result.status, 400);
      assert.match(result.body.detail, /JSON/);
    });

    it('answers 401 to an unknown key', async () => {
      const result = await create({ api_key: 'x'.repeat(48) });
      assert.equal(result.status, 401);
      assert.equal(typeof result.body.detail, 'string');
    });

    const invalid: Array<[string, unknown, string]> = [
      ['an IIN with a wrong check digit', { edocument: { iin: { value: BAD_CHECK_DIGIT_IIN } } }, 'metadata.edocument.iin.value'],
      ['an IIN of 11 digits', { edocument: { iin: { value: VALID_IIN.slice(0, 11) } } }, 'metadata.edocument.iin.value'],
      ['a phone that does not start with 77', { edocument: { phone: { value: '87011234567' } } }, 'metadata.edocument.phone.value'],
      [
        'skip_input without changeable: false',
        { edocument: { iin: { value: VALID_IIN }, phone: { value: VALID_PHONE }, skip_input: true } },
        'metadata.edocument.skip_input',
      ],
      [
        'skip_input without a phone',
        { edocument: { iin: { value: VALID_IIN, changeable: false }, skip_input: true } },
        'metadata.edocument.skip_input',
      ],
      ['an unknown interchangeable technology', { general: { interchangeable_tech: ['LD', 'XYZ'] } }, 'metadata.general.interchangeable_tech.1'],
      ['a photo1 that is not base64', { face2face: { photo1: 'not base64!' } }, 'metadata.face2face.photo1'],
    ];
    for (const [name, metadata, path] of invalid) {
      it(`answers 400 naming ${path} for ${name}`, async () => {
        const result = await create({ api_key: edocumentKey, metadata });
        assert.equal(result.status, 400, JSON.stringify(result.body));
        assert.ok(
          result.body.errors.some((error: { path: string }) => error.path === path),
          JSON.stringify(result.body.errors),
        );
        assert.ok(result.body.detail.includes(path));
      });
    }

    it('refuses face2face metadata for a flow without Face2Face', async () => {
      const noF2F = await startEmulator({ flows: [{ name: 'LD only', technologies: ['LD'] }] });
      try {
        const result = await postJson(noF2F.url + CREATE, {
          api_key: noF2F.flows[0]!.apiKey,
          metadata: { face2face: { photo1: PNG_BASE64 } },
        });
        assert.equal(result.status, 400);
        assert.equal(result.body.errors[0].path, 'metadata.face2face');
      } finally {
        await noF2F.close();
      }
    });

    it('refuses edocument metadata for a flow without E-Document', async () => {
      const result = await create({ api_key: headPositionKey, metadata: { edocument: { iin: { value: VALID_IIN } } } });
      assert.equal(result.status, 400);
      assert.equal(result.body.errors[0].path, 'metadata.edocument');
    });
  });

  describe('CORS', () => {
    const preflight = (url: string, origin: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });

    it('refuses a preflight from an origin it was not given, without CORS headers', async () => {
      const response = await preflight(emulator.url + CREATE, 'https://host.example');
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('access-control-allow-origin'), null);
      await response.body?.cancel();
    });

    it('refuses a request from another origin and creates no session', async () => {
      const before = emulator.sessions.list().length;
      const response = await fetch(emulator.url + CREATE, {
        method: 'POST',
        headers: { origin: 'https://evil.example' },
        body: JSON.stringify({ api_key: plainKey }),
      });
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('access-control-allow-origin'), null);
      assert.equal(typeof ((await response.json()) as { detail: unknown }).detail, 'string');
      assert.equal(emulator.sessions.list().length, before);
    });

    it('answers the origins of allowedOrigins, and only those', async () => {
      const open = await startEmulator({ allowedOrigins: ['https://host.example'] });
      try {
        const allowed = await preflight(open.url + CREATE, 'https://host.example');
        assert.ok(allowed.status === 204 || allowed.status === 200, String(allowed.status));
        assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://host.example');
        assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST/);
        assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /content-type/i);
        const created = await fetch(open.url + CREATE, {
          method: 'POST',
          headers: { origin: 'https://host.example' },
          body: JSON.stringify({ api_key: open.flows[0]!.apiKey }),
        });
        assert.equal(created.status, 200);
        assert.equal(created.headers.get('access-control-allow-origin'), 'https://host.example');
        await created.body?.cancel();
        const other = await preflight(open.url + CREATE, 'https://host.example.evil.example');
        assert.equal(other.status, 403);
        await other.body?.cancel();
      } finally {
        await open.close();
      }
    });

    it('refuses an allowed origin that is not an origin', async () => {
      await assert.rejects(startEmulator({ allowedOrigins: ['https://host.example/'] }), /allowedOrigins/);
      await assert.rejects(startEmulator({ allowedOrigins: ['*'] }), /allowedOrigins/);
    });
  });

  describe('result endpoint', () => {
    it('reports PROGRESS before the flow and FINISHED with results after it', async () => {
      const created = await create({ api_key: plainKey });
      const id = created.body.session_id;
      const before = await getJson(resultUrl(emulator, id, plainKey));
      assert.equal(before.status, 200);
      assert.equal(before.body.id, id);
      assert.equal(before.body.status, 'PROGRESS');
      assert.equal(before.body.liveness_result, null);

      assert.equal((await walkSession(emulator, id, ['LD', 'F2F'])).status, 'FINISHED');
      const afterEnd = await getJson(resultUrl(emulator, id, plainKey));
      assert.equal(afterEnd.body.status, 'FINISHED');
      assert.equal(afterEnd.body.flow_session_result, true);
      assert.deepEqual(afterEnd.body.flow_session_failure_reasons, []);
      assert.deepEqual(
        afterEnd.body.technologies.map((t: { code: string; name: string }) => [t.code, t.name]),
        [
          ['LD', 'Liveness'],
          ['F2F', 'Face2Face'],
        ],
      );
      assert.equal(afterEnd.body.liveness_result.result, true);
      assert.equal(typeof afterEnd.body.liveness_result.prediction, 'number');
      assert.equal(afterEnd.body.face2face_result.result, true);
      assert.equal(afterEnd.body.edocument_result, null);
      assert.equal(afterEnd.body.document_recognition_result, null);
    });

    it('reports FAILED with reasons when a technology failed', async () => {
      const id = (await create({ api_key: plainKey })).body.session_id;
      assert.equal((await walkSession(emulator, id, ['LD', 'F2F'], 'LD')).status, 'FAILED');
      const result = await getJson(resultUrl(emulator, id, plainKey));
      assert.equal(result.body.status, 'FAILED');
      assert.equal(result.body.flow_session_result, false);
      assert.equal(result.body.flow_session_failure_reasons.length, 1);
      assert.equal(result.body.liveness_result.result, false);
      assert.equal(result.body.face2face_result, null);
    });

    it('answers 401 to an unknown key and 403 to the key of another flow', async () => {
      const id = (await create({ api_key: plainKey })).body.session_id;
      assert.equal((await getJson(resultUrl(emulator, id, 'y'.repeat(48)))).status, 401);
      assert.equal((await getJson(resultUrl(emulator, id, edocumentKey))).status, 403);
      const noKey = await getJson(`${emulator.url}/api/v1/flows/session/result/?session_id=${id}`);
      assert.equal(noKey.status, 401);
    });

    it('answers 404 to an unknown session and 400 to a malformed id', async () => {
      const unknown = await getJson(resultUrl(emulator, '3fa85f64-5717-4562-b3fc-2c963f66afa6', plainKey));
      assert.equal(unknown.status, 404);
      assert.equal(typeof unknown.body.detail, 'string');
      assert.equal((await getJson(resultUrl(emulator, 'nope', plainKey))).status, 400);
    });
  });
});

describe('emulator result delay', { timeout: 10_000 }, () => {
  it('answers PROGRESS during the flow, {} for resultDelayMs after its end, then the result', async () => {
    let now = Date.UTC(2026, 0, 1);
    const emulator = await startEmulator({ resultDelayMs: 3_000, now: () => now });
    try {
      const key = emulator.flows[0]!.apiKey;
      const id = (await postJson(emulator.url + CREATE, { api_key: key })).body.session_id;
      now += 10_000;
      assert.equal((await getJson(resultUrl(emulator, id, key))).body.status, 'PROGRESS');
      await walkSession(emulator, id, ['LD', 'F2F']);
      assert.deepEqual((await getJson(resultUrl(emulator, id, key))).body, {});
      now += 2_999;
      assert.deepEqual((await getJson(resultUrl(emulator, id, key))).body, {});
      now += 1;
      const result = (await getJson(resultUrl(emulator, id, key))).body;
      assert.equal(result.status, 'FINISHED');
      assert.equal(result.flow_session_result, true);
    } finally {
      await emulator.close();
    }
  });

  it('delays a failed result the same way', async () => {
    let now = Date.UTC(2026, 0, 1);
    const emulator = await startEmulator({ resultDelayMs: 3_000, now: () => now });
    try {
      const key = emulator.flows[0]!.apiKey;
      const id = (await postJson(emulator.url + CREATE, { api_key: key })).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F'], 'LD');
      assert.deepEqual((await getJson(resultUrl(emulator, id, key))).body, {});
      now += 3_000;
      assert.equal((await getJson(resultUrl(emulator, id, key))).body.status, 'FAILED');
    } finally {
      await emulator.close();
    }
  });

  it('answers the result at once by default', async () => {
    const emulator = await startEmulator();
    try {
      const key = emulator.flows[0]!.apiKey;
      const id = (await postJson(emulator.url + CREATE, { api_key: key })).body.session_id;
      await walkSession(emulator, id, ['LD', 'F2F']);
      assert.equal((await getJson(resultUrl(emulator, id, key))).body.status, 'FINISHED');
    } finally {
      await emulator.close();
    }
  });
});

describe('emulator latency', { timeout: 10_000 }, () => {
  it('delays API answers by latencyMs', async () => {
    const emulator = await startEmulator({ latencyMs: 150 });
    try {
      const started = performance.now();
      const result = await postJson(emulator.url + CREATE, { api_key: emulator.flows[0]!.apiKey });
      assert.equal(result.status, 200);
      assert.ok(performance.now() - started >= 140);
    } finally {
      await emulator.close();
    }
  });

  it('closes promptly while an answer is delayed', async () => {
    const emulator = await startEmulator({ latencyMs: 60_000 });
    const pending = fetch(emulator.url + CREATE, { method: 'POST', body: '{}' }).then(
      (response) => response.status,
      () => 'network error',
    );
    // Nothing observable marks the request as waiting inside the emulator; give it time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = performance.now();
    await emulator.close();
    assert.ok(performance.now() - closing < 1_000);
    const outcome = await pending;
    assert.ok(outcome === 503 || outcome === 'network error', String(outcome));
  });
});
