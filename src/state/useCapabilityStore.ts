import { create } from 'zustand';
import type { Capabilities } from '../core/capabilities.ts';

export type ProbeStatus = 'probing' | 'ready' | 'failed';

interface CapabilityState {
  status: ProbeStatus;
  capabilities: Capabilities | null;
  setCapabilities: (capabilities: Capabilities) => void;
  setFailed: () => void;
}

export const useCapabilityStore = create<CapabilityState>()((set) => ({
  status: 'probing',
  capabilities: null,
  setCapabilities: (capabilities) => set({ status: 'ready', capabilities }),
  setFailed: () => set({ status: 'failed' }),
}));
