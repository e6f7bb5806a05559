import express from 'express';
import { createSessionHandler, createStatusHandler, securityHeaders, toNodeListener } from 'biometric-flow/server';

// From `npx biometric-flow-emulator` in development (it prints a key; its URL is the API base and the flow's
// base), or your Biometric.Vision key with BIOMETRIC_API_BASE_URL and BIOMETRIC_FLOW_BASE_URL unset in production.
const apiKey = process.env.BIOMETRIC_API_KEY!;
const apiBaseUrl = process.env.BIOMETRIC_API_BASE_URL;
const headers = securityHeaders({ flowBaseUrl: process.env.BIOMETRIC_FLOW_BASE_URL });

const app = express();
// app.all, not app.post/app.get: the handler answers the CORS preflight (OPTIONS) and wrong methods itself.
app.all('/api/biometric/session', toNodeListener(createSessionHandler({ apiKey, apiBaseUrl })));
app.all('/api/biometric/status', toNodeListener(createStatusHandler({ apiKey, apiBaseUrl })));
// The page, with the headers the element needs, and the element's CDN files from the package.
app.use(express.static('public', { setHeaders: (res) => res.set(headers) }));
app.use('/vendor', express.static('node_modules/biometric-flow/dist/cdn'));

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`Listening on http://127.0.0.1:${port}`);
});
