import { useEffect } from 'react';
import { useCapabilityStore } from '../state/useCapabilityStore.ts';
import { useErrorStore } from '../state/useErrorStore.ts';
import { pageEngine } from './engine.ts';

let probeStarted = false;

/** The capability probe's outcome for components; the first use starts the engine worker and its probe, once per page. */
export function useCapabilities() {
  const status = useCapabilityStore((state) => state.status);
  const capabilities = useCapabilityStore((state) => state.capabilities);

  useEffect(() => {
    if (probeStarted) return;
    probeStarted = true;
    const { setCapabilities, setFailed } = useCapabilityStore.getState();
    pageEngine.capabilities().then(setCapabilities, (error: unknown) => {
      setFailed();
      useErrorStore.getState().report(error);
    });
  }, []);

  return { status, capabilities };
}
