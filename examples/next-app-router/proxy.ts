import { NextResponse } from "next/server";
import { securityHeaders } from "biometric-flow/server";

// The pages with the headers the element needs, for the flow URL of the server's environment as it
// runs (headers() in next.config.ts would fix them at `next build`).
export function proxy() {
  const response = NextResponse.next();
  const headers = securityHeaders({ flowBaseUrl: process.env.BIOMETRIC_FLOW_BASE_URL });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: ["/((?!api|_next/static|_next/image|favicon.ico).*)"],
};
