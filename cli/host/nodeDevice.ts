/** Where the Node engine runs: onnxruntime-node's WebGPU EP on the GPU driver, or onnxruntime-web's wasm on the CPU. */
export const NODE_DEVICES = ['webgpu', 'cpu'] as const;
export type NodeDevice = (typeof NODE_DEVICES)[number];
