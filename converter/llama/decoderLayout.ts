/**
 * What one layer of a written decoder graph holds, read back from its .onnx file: how many MatMuls (each one a
 * GPU dispatch or more per step) and nodes it has, and which fusions built it. Tests and benchmarks use it.
 */
import { onnx } from '../onnx/onnxProto.ts';

export interface DecoderLayout {
  layers: number;
  /** MatMulNBits (4-bit variants) or MatMul (fp32) nodes in one layer. */
  matmulsPerLayer: number;
  /** Nodes in one layer, its input norm included. */
  nodesPerLayer: number;
  /** Nodes in the whole graph. */
  nodes: number;
  fusedQkv: boolean;
  fusedGateUp: boolean;
  /** 4-bit weights without zero points, which onnxruntime's WebGPU fusions of MatMulNBits require. */
  symmetric: boolean;
}

/** The converter names a layer's nodes `model.layers.<i>.…/Op`, `model.layers.<i>/…` or `layers.<i>/input_norm`. */
const LAYER_NODE = /^(?:model\.)?layers\.(\d+)[./]/;

export function describeDecoderLayout(modelBytes: Uint8Array): DecoderLayout {
  const nodes = onnx.ModelProto.decode(modelBytes).graph?.node ?? [];
  const perLayer = new Map<number, { nodes: number; matmuls: number }>();
  for (const node of nodes) {
    const match = LAYER_NODE.exec(node.name ?? '');
    if (match === null) continue;
    const layer = Number(match[1]);
    const counts = perLayer.get(layer) ?? { nodes: 0, matmuls: 0 };
    counts.nodes++;
    if (node.opType === 'MatMulNBits' || node.opType === 'MatMul') counts.matmuls++;
    perLayer.set(layer, counts);
  }
  // Every layer has the same nodes; the largest count guards against a layer built short.
  const all = [...perLayer.values()];
  const names = nodes.map((node) => node.name ?? '');
  const quantized = nodes.filter((node) => node.opType === 'MatMulNBits');
  return {
    layers: perLayer.size,
    matmulsPerLayer: Math.max(0, ...all.map((c) => c.matmuls)),
    nodesPerLayer: Math.max(0, ...all.map((c) => c.nodes)),
    nodes: nodes.length,
    fusedQkv: names.some((name) => name.includes('.qkv_proj/')),
    fusedGateUp: names.some((name) => name.includes('.gate_up_proj/')),
    symmetric: quantized.length > 0 && quantized.every((node) => (node.input?.[3] ?? '') === ''),
  };
}

/** A short name of the layout's form, e.g. `qkv+gate_up` or `separate, symmetric`. */
export function layoutFormName(layout: Pick<DecoderLayout, 'fusedQkv' | 'fusedGateUp' | 'symmetric'>): string {
  const fused = [layout.fusedQkv ? 'qkv' : '', layout.fusedGateUp ? 'gate_up' : ''].filter(Boolean).join('+') || 'separate';
  return layout.symmetric ? `${fused}, symmetric` : fused;
}
