import { decideCapabilities, type Capabilities } from '../core/capabilities.ts';
import type { EngineApi } from '../core/engineApi.ts';
import { probeCapabilities, type ProbeScope } from './probeCapabilities.ts';

export class Engine implements EngineApi {
  private capabilitiesPromise: Promise<Capabilities> | undefined;
  private readonly scope: ProbeScope | undefined;

  constructor(scope?: ProbeScope) {
    this.scope = scope;
  }

  capabilities(): Promise<Capabilities> {
    this.capabilitiesPromise ??= probeCapabilities(this.scope).then(decideCapabilities);
    return this.capabilitiesPromise;
  }
}
