/**
 * Test suites that need a GPU adapter in Node (onnxruntime-node's WebGPU EP on a real driver; CI installs Mesa's
 * lavapipe). Where there is none they skip with the reason printed, except in CI (`CI` set), where a missing
 * adapter fails them: there it means the driver install broke, and a skip would hide that.
 */
import { describe, it } from 'vitest';
import { decideCapabilities, type Capabilities } from '../../../src/core/capabilities.ts';
import { probeCapabilities } from '../../../src/engine/probeCapabilities.ts';
import { nodeGpuScope, nodeHasWebGpuEp } from '../nodeGpu.ts';

export type NodeGpuAvailability = { capabilities: Capabilities; missing: null } | { capabilities: null; missing: string };

let probed: Promise<NodeGpuAvailability> | undefined;

export function nodeGpuAvailability(): Promise<NodeGpuAvailability> {
  probed ??= (async () => {
    if (!nodeHasWebGpuEp()) return { capabilities: null, missing: `onnxruntime-node on ${process.platform}-${process.arch} has no WebGPU EP` };
    const capabilities = decideCapabilities(await probeCapabilities(nodeGpuScope()));
    if (capabilities.backend !== 'webgpu') {
      return { capabilities: null, missing: `no WebGPU adapter (${capabilities.adapterError ?? 'no GPU driver Dawn can use; on Debian: mesa-vulkan-drivers from bookworm-backports'})` };
    }
    return { capabilities, missing: null };
  })();
  return probed;
}

/** `describe` for suites that run on the Node WebGPU host; `body` gets the adapter's capabilities. */
export async function describeOnNodeGpu(name: string, body: (capabilities: Capabilities) => void): Promise<void> {
  const gpu = await nodeGpuAvailability();
  if (gpu.capabilities !== null) {
    describe(name, () => body(gpu.capabilities));
  } else if (process.env.CI) {
    describe(name, () => {
      it('has a WebGPU adapter in Node', () => {
        throw new Error(`${gpu.missing}: CI installs Mesa's lavapipe (.ci/run) so that these tests run on a real driver`);
      });
    });
  } else {
    console.warn(`Skipping "${name}": ${gpu.missing}.`);
    describe(name, () => it.skip(`needs a WebGPU adapter in Node: ${gpu.missing}`));
  }
}
