import express from 'express';
import { securityHeaders } from 'biometric-flow/server';

// The element's flow-base-url: unset for Biometric.Vision itself, the emulator's URL in development.
const headers = securityHeaders({ flowBaseUrl: process.env.BIOMETRIC_FLOW_BASE_URL });

const app = express();
// The pages that hold the element, with the headers it needs.
app.use(express.static('public', { setHeaders: (res) => res.set(headers) }));
app.listen(3000);
