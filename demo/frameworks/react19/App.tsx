/**
 * React 19: `<biometric-flow>` as it is, no wrapper. Props the element has as properties (`context`,
 * `autostart`, `locale`) are set as properties, the kebab-case ones become attributes, and
 * `on<event>` props listen to the event of exactly that name. `biometric-flow/react-jsx` types it all.
 */
import { useState } from 'react';
import 'biometric-flow';
import type { StateChangeDetail } from 'biometric-flow';
import type {} from 'biometric-flow/react-jsx';
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
  const log = (name: FlowEventName) => (event: CustomEvent) => {
    setEvents((list) => [logEntry(name, event.detail), ...list]);
  };
  const [autostart] = useState(wantsAutostart);

  return (
    <main>
      <h1>React 19: the plain element</h1>
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
          <biometric-flow
            id="flow"
            session-endpoint={SESSION_ENDPOINT}
            status-endpoint={STATUS_ENDPOINT}
            flow-base-url={config.flowBaseUrl}
            locale="en"
            context={FLOW_CONTEXT}
            autostart={autostart}
            onstate-change={(event) => {
              setState(event.detail.state);
              log('state-change')(event);
            }}
            onsession-created={log('session-created')}
            onflow-loaded={log('flow-loaded')}
            onflow-message={log('flow-message')}
            onfinished={log('finished')}
            oncancelled={log('cancelled')}
            onflow-error={log('flow-error')}
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
