import { useEffect } from 'react';
import { useCapabilityStore } from '../../state/useCapabilityStore.ts';
import { useErrorStore } from '../../state/useErrorStore.ts';
import { withEngine } from '../../client/engineClient.ts';

let probeStarted = false;

/** Starts the engine worker and its capability probe once per page; returns what the probe found. */
export function useEngine() {
  const status = useCapabilityStore((state) => state.status);
  const capabilities = useCapabilityStore((state) => state.capabilities);

  useEffect(() => {
    if (probeStarted) return;
    probeStarted = true;
    const { setCapabilities, setFailed } = useCapabilityStore.getState();
    withEngine((engine) => engine.capabilities()).then(setCapabilities, (error: unknown) => {
      setFailed();
      useErrorStore.getState().report(error);
    });
  }, []);

  return { status, capabilities };
}
