import { Suspense } from "react";
import { connection } from "next/server";
import { Verify } from "./verify";

export default function Home() {
  return (
    <main>
      <h1>Verify your identity</h1>
      <Suspense>
        <VerifyWithRuntimeConfig />
      </Suspense>
    </main>
  );
}

// Rendered per request: the flow URL comes from the server's environment as it runs, where a
// NEXT_PUBLIC_ variable would be fixed by `next build`.
async function VerifyWithRuntimeConfig() {
  await connection();
  return <Verify flowBaseUrl={process.env.BIOMETRIC_FLOW_BASE_URL} />;
}
