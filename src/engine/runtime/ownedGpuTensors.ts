import { AppError } from '../../core/errors.ts';
import { runSession, type Ort, type OrtSession, type OrtTensor } from './graphSession.ts';

export type GpuTensorType = 'float32' | 'float16' | 'int32';

export interface GpuTensorSpec {
  name: string;
  type: GpuTensorType;
  dims: readonly number[];
}

/** Zero-filled GPU tensors that onnxruntime allocated itself, and the means to free them. */
export interface OwnedGpuTensors {
  readonly tensors: ReadonlyMap<string, OrtTensor>;
  dispose(): Promise<void>;
}

/**
 * GPU tensors that onnxruntime-web owns: the outputs of a small graph (one Expand of a zero per tensor), asked
 * for as 'gpu-buffer', kept until `dispose`.
 *
 * Why not `Tensor.fromGpuBuffer` on buffers of our own: onnxruntime-web (1.31) imports such a buffer into its
 * wasm heap at the start of each run and releases the handle at its end. A captured graph is bound once, at
 * its first run, and keeps those handles, so every replay refers to buffers already released (in Dawn for Node
 * the bind group fails to build; in Chromium the run never finished). A tensor of its own outputs stays
 * registered for as long as the tensor lives, so a captured graph may read and write it on every replay; the
 * engine fills inputs with `queue.writeBuffer` on the tensor's `gpuBuffer`.
 */
export async function ownedGpuTensors(ort: Ort, specs: readonly GpuTensorSpec[]): Promise<OwnedGpuTensors> {
  const { GraphBuilder } = await import('../../../converter/onnx/GraphBuilder.ts');
  const graph = new GraphBuilder('gpu_tensors');
  const types = [...new Set(specs.map((spec) => spec.type))];
  for (const type of types) graph.input(`zero_${type}`, type, []);
  specs.forEach((spec, i) => {
    const shape = graph.initializer(`shape_${i}`, 'int64', [spec.dims.length], BigInt64Array.from(spec.dims, (dim) => BigInt(dim)));
    graph.node('Expand', [`zero_${spec.type}`, shape], [`tensor_${i}`]);
    graph.output(`tensor_${i}`, spec.type, [...spec.dims]);
  });
  let session: OrtSession | undefined;
  try {
    session = await ort.InferenceSession.create(graph.toBytes({ opsets: [{ domain: '', version: 17 }] }), {
      executionProviders: ['webgpu'],
      preferredOutputLocation: Object.fromEntries(specs.map((_, i) => [`tensor_${i}`, 'gpu-buffer' as const])),
    });
    const zeros = Object.fromEntries(types.map((type) => [`zero_${type}`, new ort.Tensor(type, zeroOf(type), [])]));
    const outputs = await runSession(session, 'GPU buffer allocation', zeros);
    const tensors = new Map(specs.map((spec, i) => [spec.name, outputs[`tensor_${i}`]!]));
    for (const [name, tensor] of tensors) {
      if (tensor.location !== 'gpu-buffer') throw new AppError('INTERNAL', `onnxruntime returned the GPU tensor ${name} on the ${tensor.location}`);
    }
    const owner = session;
    return {
      tensors,
      async dispose() {
        for (const tensor of tensors.values()) tensor.dispose();
        await owner.release();
      },
    };
  } catch (error) {
    await session?.release();
    throw error;
  }
}

function zeroOf(type: GpuTensorType): Float32Array | Uint16Array | Int32Array {
  if (type === 'float32') return new Float32Array(1);
  return type === 'float16' ? new Uint16Array(1) : new Int32Array(1);
}
