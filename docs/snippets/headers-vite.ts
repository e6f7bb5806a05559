// vite.config.ts: the pages of `vite` and `vite preview` with the headers the element needs
import { defineConfig } from 'vite';
import { securityHeaders } from 'biometric-flow/server';

const headers = securityHeaders({ flowBaseUrl: process.env.VITE_BIOMETRIC_FLOW_BASE_URL });

export default defineConfig({
  server: { headers },
  preview: { headers },
});
