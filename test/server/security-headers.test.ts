import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cspDirectives, mergeContentSecurityPolicy, securityHeaders } from '../../src/server/index.js';

const VENDOR = 'https://remote.biometric.kz';
const DELEGATED = `camera=(self "${VENDOR}"), microphone=(self "${VENDOR}"), fullscreen=(self "${VENDOR}")`;

describe('securityHeaders', () => {
  it('frames the vendor flow, allows requests to the page itself and delegates the camera, for inline by default', () => {
    assert.deepEqual(securityHeaders(), {
      'Content-Security-Policy': `frame-src ${VENDOR}; connect-src 'self'`,
      'Permissions-Policy': DELEGATED,
    });
    assert.deepEqual(securityHeaders({ mode: 'modal' }), securityHeaders());
  });

  it('adds same-origin-allow-popups for popup and all, and keeps frame-src for the dialog a blocked popup falls back to', () => {
    for (const mode of ['popup', 'all'] as const) {
      assert.deepEqual(securityHeaders({ mode }), {
        'Content-Security-Policy': `frame-src ${VENDOR}; connect-src 'self'`,
        'Permissions-Policy': DELEGATED,
        'Cross-Origin-Opener-Policy': 'same-origin-allow-popups',
      });
    }
  });

  it('uses the origin of flowBaseUrl, loopback http: included (the emulator)', () => {
    assert.deepEqual(securityHeaders({ flowBaseUrl: 'http://127.0.0.1:8790/some/path/' }), {
      'Content-Security-Policy': "frame-src http://127.0.0.1:8790; connect-src 'self'",
      'Permissions-Policy':
        'camera=(self "http://127.0.0.1:8790"), microphone=(self "http://127.0.0.1:8790"), fullscreen=(self "http://127.0.0.1:8790")',
    });
  });

  it('adds the origins of absolute endpoints and extra connect sources once each; a path is covered by self', () => {
    const headers = securityHeaders({
      sessionEndpoint: 'https://api.shop.example/biometric/session',
      statusEndpoint: 'https://api.shop.example/biometric/status',
      connectSrc: ['https://metrics.shop.example', 'wss:'],
    });
    assert.equal(headers['Content-Security-Policy'], `frame-src ${VENDOR}; connect-src 'self' https://api.shop.example https://metrics.shop.example wss:`);
    assert.equal(securityHeaders({ sessionEndpoint: '/api/biometric/session' })['Content-Security-Policy'], `frame-src ${VENDOR}; connect-src 'self'`);
  });

  it('refuses a flowBaseUrl that is not a URL, not absolute, or http: off loopback, with a TypeError', () => {
    for (const flowBaseUrl of ['not a url', '/flow', 'http://remote.biometric.kz', 'ftp://remote.biometric.kz', 'http://10.0.0.5:8790']) {
      assert.throws(() => securityHeaders({ flowBaseUrl }), TypeError, flowBaseUrl);
    }
    for (const flowBaseUrl of ['http://localhost:8790', 'http://[::1]:8790']) assert.doesNotThrow(() => securityHeaders({ flowBaseUrl }));
  });

  it('refuses an http: endpoint off loopback, an unknown mode and a connect source that would inject a directive', () => {
    assert.throws(() => securityHeaders({ sessionEndpoint: 'http://api.shop.example/session' }), TypeError);
    assert.throws(() => securityHeaders({ mode: 'dialog' as 'modal' }), TypeError);
    for (const source of ['https://a.example; script-src *', 'https://a.example https://b.example', 'https://a.example,b', '']) {
      assert.throws(() => securityHeaders({ connectSrc: [source] }), TypeError, source);
    }
  });
});

describe('cspDirectives and mergeContentSecurityPolicy', () => {
  it('give the same directives as lists', () => {
    assert.deepEqual(cspDirectives({ sessionEndpoint: 'https://api.shop.example/s' }), {
      'frame-src': [VENDOR],
      'connect-src': ["'self'", 'https://api.shop.example'],
    });
  });

  it('start a missing directive from the one it fell back to, so that what was allowed stays allowed', () => {
    assert.equal(
      mergeContentSecurityPolicy("default-src 'self' https://cdn.example; script-src 'self'", cspDirectives()),
      `default-src 'self' https://cdn.example; script-src 'self'; frame-src 'self' https://cdn.example ${VENDOR}; connect-src 'self' https://cdn.example`,
    );
    assert.equal(
      mergeContentSecurityPolicy("default-src 'none'; child-src https://video.example", cspDirectives()),
      `default-src 'none'; child-src https://video.example; frame-src https://video.example ${VENDOR}; connect-src 'self'`,
    );
  });

  it('add to existing directives without repeating sources, and leave a policy silent on them silent', () => {
    assert.equal(
      mergeContentSecurityPolicy(`Frame-Src ${VENDOR} https://maps.example; connect-src 'self'; img-src *`, cspDirectives()),
      `frame-src ${VENDOR} https://maps.example; connect-src 'self'; img-src *`,
    );
    assert.equal(mergeContentSecurityPolicy("script-src 'self'", cspDirectives()), "script-src 'self'");
  });
});
