"use client";
// The recipe of docs/frameworks.md "React 19 without server rendering", in a page Next.js renders on the
// server and hydrates. `onfinished` writes where the test reads it; "Render again" makes React render the
// element once more on the client, which is when React 19 attaches the listener.
import { useEffect, useState } from "react";
import "biometric-flow";
import type {} from "biometric-flow/react-jsx";

export function BareTag() {
  const [renders, setRenders] = useState(1);
  useEffect(() => {
    // Effects run once the hydration is committed: from here on, whatever hydration attaches is attached.
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return (
    <>
      <biometric-flow
        session-endpoint="/api/biometric/session"
        onfinished={(event) => {
          document.documentElement.dataset.outcome = event.detail.outcome;
        }}
      />
      <button type="button" onClick={() => setRenders(renders + 1)}>
        Render again ({renders})
      </button>
    </>
  );
}
