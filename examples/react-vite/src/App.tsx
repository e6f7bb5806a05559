import { useState } from 'react'
import 'biometric-flow'
import type {} from 'biometric-flow/react-jsx'
import type { FinishedOutcome } from 'biometric-flow'

export default function App() {
  const [outcome, setOutcome] = useState<FinishedOutcome>()
  return (
    <main>
      <h1>Verify your identity</h1>
      <p>
        Sign in first (the example backend's stand-in for your app's sign-in):{' '}
        <a href="/api/login?user=alice">alice</a> · <a href="/api/login?user=bob">bob</a> ·{' '}
        <a href="/api/me">what the server recorded</a>
      </p>
      <biometric-flow
        session-endpoint="/api/biometric/session"
        status-endpoint="/api/biometric/status"
        flow-base-url={import.meta.env.VITE_BIOMETRIC_FLOW_BASE_URL}
        context={{ orderId: '42' }}
        onfinished={(event) => setOutcome(event.detail.outcome)}
        onflow-error={(event) => console.warn(event.detail.code)}
      />
      {outcome && <p role="status">Outcome: {outcome}</p>}
    </main>
  )
}
