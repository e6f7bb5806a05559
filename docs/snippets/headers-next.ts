// next.config.ts: every page with the headers the element needs
import { securityHeaders } from 'biometric-flow/server';

export default {
  async headers() {
    const headers = securityHeaders({ flowBaseUrl: process.env.NEXT_PUBLIC_BIOMETRIC_FLOW_BASE_URL });
    return [{ source: '/:path*', headers: Object.entries(headers).map(([key, value]) => ({ key, value })) }];
  },
};
