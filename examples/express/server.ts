import express from 'express';
import { createSessionHandler, createStatusHandler, toNodeListener } from 'biometric-flow/server';

// From `npx biometric-flow-emulator` in development (it prints a key; its URL is the API base), or your
// Biometric.Vision key with BIOMETRIC_API_BASE_URL unset in production.
const apiKey = process.env.BIOMETRIC_API_KEY!;
const apiBaseUrl = process.env.BIOMETRIC_API_BASE_URL;

const app = express();
app.post('/api/biometric/session', toNodeListener(createSessionHandler({ apiKey, apiBaseUrl })));
app.get('/api/biometric/status', toNodeListener(createStatusHandler({ apiKey, apiBaseUrl })));
// The page, and the element's CDN files from the package.
app.use(express.static('public'));
app.use('/vendor', express.static('node_modules/biometric-flow/dist/cdn'));

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`Listening on http://127.0.0.1:${port}`);
});
