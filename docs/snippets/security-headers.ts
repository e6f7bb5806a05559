import express from 'express';
import { cspDirectives, mergeContentSecurityPolicy, securityHeaders } from 'biometric-flow/server';

const app = express();
app.get('/verify', (_request, res, next) => {
  // frame-src https://remote.biometric.kz; connect-src 'self'
  // camera=(self "https://remote.biometric.kz"), microphone=(...), fullscreen=(...)
  // and, for popup (or all), Cross-Origin-Opener-Policy: same-origin-allow-popups
  res.set(securityHeaders({ mode: 'popup' }));
  next();
});

// A page with a policy of its own: add the element's sources to it rather than send a second one.
const policy = mergeContentSecurityPolicy("default-src 'self'; script-src 'self'", cspDirectives());
// "default-src 'self'; script-src 'self'; frame-src 'self' https://remote.biometric.kz; connect-src 'self'"
app.get('/account/verify', (_request, res, next) => {
  res.set('Content-Security-Policy', policy);
  next();
});
