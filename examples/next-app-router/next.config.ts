import type { NextConfig } from "next";
import { securityHeaders } from "biometric-flow/server";

const nextConfig: NextConfig = {
  /* config options here */
  cacheComponents: true,
  partialPrefetching: true,
  // Every page with the headers the element needs (docs/frameworks.md, "The page's headers").
  async headers() {
    const headers = securityHeaders({ flowBaseUrl: process.env.NEXT_PUBLIC_BIOMETRIC_FLOW_BASE_URL });
    return [{ source: "/:path*", headers: Object.entries(headers).map(([key, value]) => ({ key, value })) }];
  },
};

export default nextConfig;
