import express from 'express';
import { createSessionHandler, createStatusHandler, toNodeListener } from 'biometric-flow/server';

// Made once, at start. tokenSecret: the same random 32+ characters on every instance.
const apiKey = process.env.BIOMETRIC_API_KEY!;
const tokenSecret = process.env.BIOMETRIC_TOKEN_SECRET;
const session = toNodeListener(createSessionHandler({ apiKey, tokenSecret }));
const status = toNodeListener(createStatusHandler({ apiKey, tokenSecret }));

const app = express();
// app.all, not app.post/app.get: the handler answers the CORS preflight (OPTIONS) and wrong methods itself.
app.all('/api/biometric/session', session);
app.all('/api/biometric/status', status);
app.listen(3000);
