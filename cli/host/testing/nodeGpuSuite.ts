/**
 * Test suites that need a GPU adapter in Node (onnxruntime-node's WebGPU EP on a real driver; CI installs Mesa's
 * lavapipe). Where there is none they skip with the reason printed, except in CI (`CI` set), where a missing
 * adapter fails them: there it means the driver install broke, and a skip would hide that.
 */
import { describe, it } from 'vitest';
import type { Capabilities } from '../../../src/core/capabilities.ts';
import { nodeGpuAvailability } from '../nodeGpu.ts';

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
