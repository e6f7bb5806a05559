/** Hooks of the two React apps (React 18 and 19 alike). */
import { useEffect, useState } from 'react';
import { loadFlowBaseUrl } from './shared.js';

export type FlowConfig =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; flowBaseUrl: string | undefined };

/** The flow's base URL from the backend; the element is rendered only once it is known. */
export function useFlowBaseUrl(): FlowConfig {
  const [config, setConfig] = useState<FlowConfig>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    loadFlowBaseUrl(controller.signal).then(
      (flowBaseUrl) => setConfig({ status: 'ready', flowBaseUrl }),
      (error: unknown) => {
        if (!controller.signal.aborted) setConfig({ status: 'error', message: String(error) });
      },
    );
    return () => controller.abort();
  }, []);
  return config;
}

/**
 * How many times React ran a mount effect of the app: 2 under StrictMode in a development build, 1
 * otherwise. Shown on the page, so a test can tell that StrictMode was really in force.
 */
export function useMountEffectCount(): number {
  const [count, setCount] = useState(0);
  useEffect(() => setCount((n) => n + 1), []);
  return count;
}
