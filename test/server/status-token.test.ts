import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createSessionHandler, createStatusHandler, issueStatusToken, verifyStatusToken } from '../../src/server/index.js';
import { macMatches, macOf } from '../../src/server/status-token.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger } from './fake-vendor.js';

const verify = (token: string | null, sessionId = SESSION_ID, tokenSecret = TOKEN_SECRET) =>
  verifyStatusToken({ tokenSecret, sessionId, token });

describe('status tokens', () => {
  it('are v1.<expires>.<base64url HMAC-SHA256> over the lower-case session id and expiry, valid for an hour by default', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await issueStatusToken({ tokenSecret: TOKEN_SECRET, sessionId: SESSION_ID.toUpperCase() });
    assert.ok(token.length <= 200);
    const match = /^v1\.(\d+)\.([A-Za-z0-9_-]{43})$/.exec(token);
    assert.ok(match, token);
    const expires = Number(match[1]);
    assert.ok(expires >= before + 3600 && expires <= before + 3602, String(expires - before));
    const expected = createHmac('sha256', TOKEN_SECRET).update(`v1.${SESSION_ID}.${expires}`).digest('base64url');
    assert.equal(match[2], expected);
  });

  it('verify for their session only, in either case, with their secret only, until they expire', async () => {
    const token = await issueStatusToken({ tokenSecret: TOKEN_SECRET, sessionId: SESSION_ID });
    assert.equal(await verify(token), true);
    assert.equal(await verify(token, SESSION_ID.toUpperCase()), true);
    assert.equal(await verify(token, randomUUID()), false);
    assert.equal(await verify(token, SESSION_ID, `${TOKEN_SECRET}!`), false);
    const now = Math.floor(Date.now() / 1000);
    const signed = (expires: number) => `v1.${expires}.${createHmac('sha256', TOKEN_SECRET).update(`v1.${SESSION_ID}.${expires}`).digest('base64url')}`;
    assert.equal(await verify(signed(now - 1)), false, 'expired');
    assert.equal(await verify(signed(now + 30)), true);
    const short = await issueStatusToken({ tokenSecret: TOKEN_SECRET, sessionId: SESSION_ID, ttlSeconds: 60 });
    assert.ok(Number(short.split('.')[1]) <= now + 61);
  });

  it('sign and check the same with node:crypto and with Web Crypto (edge workers)', async () => {
    const text = `v1.${SESSION_ID}.1999999999`;
    const expected = createHmac('sha256', TOKEN_SECRET).update(text).digest();
    for (const webCrypto of [false, true]) {
      const mac = new Uint8Array(await macOf(TOKEN_SECRET, text, webCrypto));
      assert.deepEqual(Buffer.from(mac), expected, `webCrypto: ${webCrypto}`);
      assert.equal(await macMatches(TOKEN_SECRET, text, mac, webCrypto), true);
      mac[31] ^= 1;
      assert.equal(await macMatches(TOKEN_SECRET, text, mac, webCrypto), false);
      assert.equal(await macMatches(TOKEN_SECRET, text, mac.slice(0, 31), webCrypto), false);
    }
  });

  it('refuse anything malformed without throwing', async () => {
    const token = await issueStatusToken({ tokenSecret: TOKEN_SECRET, sessionId: SESSION_ID });
    const [, expires, mac] = token.split('.');
    for (const bad of [null, '', 'v1', `v2.${expires}.${mac}`, `v1.${expires}.${mac}=`, `v1.-1.${mac}`, `v1.${expires}.${mac!.slice(1)}`, `${token}.x`, 'v1.1.' + '!'.repeat(43), token.repeat(4)]) {
      assert.equal(await verify(bad), false, String(bad));
    }
  });

  it('need a secret of 32 characters or more, and a UUID session id', async () => {
    await assert.rejects(issueStatusToken({ tokenSecret: 'x'.repeat(31), sessionId: SESSION_ID }), /at least 32 characters/);
    await assert.rejects(issueStatusToken({ tokenSecret: TOKEN_SECRET, sessionId: 'abc' }), TypeError);
    await assert.rejects(issueStatusToken({ tokenSecret: TOKEN_SECRET, sessionId: SESSION_ID, ttlSeconds: 0 }), TypeError);
    const logger = capturingLogger();
    const status = createStatusHandler({ apiKey: API_KEY, tokenSecret: 'too short', logger });
    const answer = await status(new Request(`https://shop.example/status?session_id=${SESSION_ID}`));
    assert.equal(answer.status, 500);
    assert.equal((await answer.json()).error.code, 'configuration-error');
    assert.match(logger.lines.join('\n'), /tokenSecret must be a string of at least 32 characters/);
  });

  it('default to BIOMETRIC_TOKEN_SECRET, refusing a short one', async () => {
    const saved = process.env.BIOMETRIC_TOKEN_SECRET;
    try {
      process.env.BIOMETRIC_TOKEN_SECRET = TOKEN_SECRET;
      const token = await issueStatusToken({ sessionId: SESSION_ID });
      assert.equal(await verify(token), true);
      const logger = capturingLogger();
      const status = createStatusHandler({ apiKey: API_KEY, logger, fetch: async () => Response.json({ status: 'FINISHED' }) });
      const headers = { 'Biometric-Status-Token': token };
      assert.equal((await status(new Request(`https://shop.example/status?session_id=${SESSION_ID}`, { headers }))).status, 200);
      assert.deepEqual(logger.lines, []);
      process.env.BIOMETRIC_TOKEN_SECRET = 'short';
      const session = createSessionHandler({ apiKey: API_KEY, logger });
      const refused = await session(new Request('https://shop.example/s', { method: 'POST', body: '{}' }));
      assert.equal(refused.status, 500);
      assert.equal((await refused.json()).error.code, 'configuration-error');
      assert.equal(logger.lines.length, 1);
      assert.match(logger.lines[0]!, /^error .*BIOMETRIC_TOKEN_SECRET must be at least 32 characters/);
    } finally {
      if (saved === undefined) delete process.env.BIOMETRIC_TOKEN_SECRET;
      else process.env.BIOMETRIC_TOKEN_SECRET = saved;
    }
  });

  it('without a secret, use one random secret per process, with a single warning that instances must share one', async () => {
    const saved = process.env.BIOMETRIC_TOKEN_SECRET;
    delete process.env.BIOMETRIC_TOKEN_SECRET;
    try {
      const logger = capturingLogger();
      const session = createSessionHandler({
        apiKey: API_KEY,
        logger,
        authorize: () => true,
        fetch: async () => Response.json({ session_id: SESSION_ID, technologies: [] }),
      });
      const status = createStatusHandler({ apiKey: API_KEY, logger, fetch: async () => Response.json({ status: 'FINISHED' }) });
      createSessionHandler({ apiKey: API_KEY, logger });
      assert.deepEqual(logger.lines, [], 'nothing is resolved before the first request');
      const created = await (await session(new Request('https://shop.example/s', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }))).json();
      const answer = await status(
        new Request(`https://shop.example/status?session_id=${SESSION_ID}`, { headers: { 'Biometric-Status-Token': created.status_token } }),
      );
      assert.equal(answer.status, 200, 'handlers of one process share the random secret');
      assert.equal(logger.lines.length, 1, logger.lines.join('\n'));
      assert.match(logger.lines[0]!, /^warn .*share one secret/);
      assert.equal(await verifyStatusToken({ sessionId: SESSION_ID, token: created.status_token }), true);
      assert.equal(await verify(created.status_token), false, 'it is not some fixed secret');
    } finally {
      if (saved !== undefined) process.env.BIOMETRIC_TOKEN_SECRET = saved;
    }
  });
});
