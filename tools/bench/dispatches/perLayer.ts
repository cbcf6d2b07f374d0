/**
 * A decode step's dispatches split into one decoder layer's and those outside the layers (the first layer's
 * input norm, lm_head, the last-position Slice): the same graph form profiled with L layers and with 1 layer.
 * Counting from the graph's nodes would not do: onnxruntime fuses nodes (Sigmoid·Mul → QuickGelu, the MLP with
 * symmetric weights → MatMulNBitsMlp) and splits others into several programs (GroupQueryAttention → 4).
 */
import { AppError } from '../../../src/core/errors.ts';

export interface LayerSplit {
  /** Programs dispatched by each decoder layer, by name. */
  perLayer: Map<string, number>;
  /** Programs dispatched once per step outside the layers, by name. */
  outside: Map<string, number>;
}

export function splitByLayer(full: ReadonlyMap<string, number>, oneLayer: ReadonlyMap<string, number>, layers: number): LayerSplit {
  if (!Number.isInteger(layers) || layers < 2) throw new AppError('INTERNAL', `splitting dispatches by layer needs 2 or more layers, not ${layers}`);
  const perLayer = new Map<string, number>();
  const outside = new Map<string, number>();
  for (const name of new Set([...full.keys(), ...oneLayer.keys()])) {
    const many = full.get(name) ?? 0;
    const one = oneLayer.get(name) ?? 0;
    const each = (many - one) / (layers - 1);
    if (!Number.isInteger(each) || each < 0 || one < each) {
      throw new AppError('INTERNAL', `${name}: ${many} dispatches with ${layers} layers and ${one} with 1 do not split into equal layers`);
    }
    if (each > 0) perLayer.set(name, each);
    if (one > each) outside.set(name, one - each);
  }
  return { perLayer, outside };
}

export const total = (programs: ReadonlyMap<string, number>): number => [...programs.values()].reduce((a, b) => a + b, 0);

/** `MatMulNBits 5, QuickGelu 1, …` */
export const describePrograms = (programs: ReadonlyMap<string, number>): string => [...programs].map(([name, n]) => `${name} ${n}`).join(', ');
