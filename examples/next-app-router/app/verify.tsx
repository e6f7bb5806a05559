"use client";

import { useState } from "react";
import { BiometricFlow } from "biometric-flow/react";
import type { FinishedOutcome } from "biometric-flow";

export function Verify({ flowBaseUrl }: { flowBaseUrl?: string }) {
  const [outcome, setOutcome] = useState<FinishedOutcome>();
  return (
    <>
      <BiometricFlow
        sessionEndpoint="/api/biometric/session"
        statusEndpoint="/api/biometric/status"
        // The emulator's URL in development; undefined for Biometric.Vision.
        flowBaseUrl={flowBaseUrl}
        context={{ orderId: "42" }}
        onFinished={(event) => setOutcome(event.detail.outcome)}
        onFlowError={(event) => console.warn(event.detail.code)}
      />
      {outcome && <p role="status">Outcome: {outcome}</p>}
    </>
  );
}
