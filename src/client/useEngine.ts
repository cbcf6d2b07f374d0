import { useEffect } from 'react';
import type { Capabilities } from '../core/capabilities.ts';
import { useCapabilityStore, type ProbeStatus } from '../state/useCapabilityStore.ts';
import { useErrorStore } from '../state/useErrorStore.ts';
import type { EngineClient } from './engineClient.ts';
import { pageEngine } from './pageEngine.ts';

let probeStarted = false;

/** What the page's components get of the engine: the capability probe's outcome (the hook runs the probe), and the engine's actions. */
export interface EngineHandle extends Omit<EngineClient, 'capabilities'> {
  status: ProbeStatus;
  capabilities: Capabilities | null;
}

/**
 * The page's one way to the engine, as one typed object: starts the engine worker and its capability probe
 * once per page, and hands over the engine's actions (load, run, cancel, the download cache). Actions outside
 * React use the same object through `engine()`.
 */
export function useEngine(): EngineHandle {
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

  return { ...pageEngine, status, capabilities };
}

/** The engine's actions for code outside components (run, model and cache actions): the same client as `useEngine()`'s. */
export function engine(): EngineClient {
  return pageEngine;
}
