/**
 * React 18: `<BiometricFlow>` from `biometric-flow/react` (the `@lit/react` wrapper), which sets
 * properties and maps the element's events to typed `on…` props.
 */
import { useCallback, useState } from 'react';
import { BiometricFlow, type StateChangeDetail } from 'biometric-flow/react';
import {
  FLOW_CONTEXT,
  SESSION_ENDPOINT,
  STATUS_ENDPOINT,
  logEntry,
  wantsAutostart,
  type FlowEventName,
  type LoggedEvent,
} from '../shared.js';
import { useFlowBaseUrl, useMountEffectCount } from '../react-hooks.js';

export function App() {
  const mountEffects = useMountEffectCount();
  const config = useFlowBaseUrl();
  const [state, setState] = useState<StateChangeDetail['state']>('idle');
  const [events, setEvents] = useState<LoggedEvent[]>([]);
  const log = useCallback((name: FlowEventName) => (event: CustomEvent) => {
    setEvents((list) => [logEntry(name, event.detail), ...list]);
  }, []);
  const [autostart] = useState(wantsAutostart);

  return (
    <main>
      <h1>React 18: <code>biometric-flow/react</code></h1>
      <p>
        Mount effects run: <output id="mount-effects">{mountEffects}</output> (2 under StrictMode in a development
        build)
      </p>
      {config.status === 'loading' && <p>Asking the backend…</p>}
      {config.status === 'error' && <p role="alert">{config.message}</p>}
      {config.status === 'ready' && (
        <section id="flow-panel" aria-label="Flow">
          <p>
            State: <code id="flow-state">{state}</code>
          </p>
          <BiometricFlow
            id="flow"
            sessionEndpoint={SESSION_ENDPOINT}
            statusEndpoint={STATUS_ENDPOINT}
            locale="en"
            context={FLOW_CONTEXT}
            autostart={autostart}
            {...(config.flowBaseUrl ? { flowBaseUrl: config.flowBaseUrl } : {})}
            onStateChange={(event) => {
              setState(event.detail.state);
              log('state-change')(event);
            }}
            onSessionCreated={log('session-created')}
            onFlowLoaded={log('flow-loaded')}
            onFlowMessage={log('flow-message')}
            onFinished={log('finished')}
            onCancelled={log('cancelled')}
            onFlowError={log('flow-error')}
          />
        </section>
      )}
      <h2>Events, newest first</h2>
      <ol id="event-log">
        {events.map((entry) => (
          <li key={entry.id} data-event={entry.name}>
            <strong>{entry.name}</strong> <code className="log-detail">{entry.detail}</code>
          </li>
        ))}
      </ol>
    </main>
  );
}
