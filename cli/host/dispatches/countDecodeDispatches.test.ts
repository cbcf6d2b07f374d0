/**
 * Counting the GPU dispatches of one decode step from onnxruntime's verbose log: the parser on a log excerpt,
 * and, where Node has a WebGPU adapter, the real count for the tiny decoder in its default, separate and
 * symmetric forms, split into one layer's programs and those outside the layers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeMaxError } from '../../../tools/testing/errorMetrics.ts';
import { smallLlamaConfig } from '../../../converter/llama/smallConfig.ts';
import { describeOnNodeGpu } from '../testing/nodeGpuSuite.ts';
import { beginMarker, END_MARKER, parseDispatchLog, profileDecodeSteps } from './countDecodeDispatches.ts';
import { writeDecoderForm, type DecoderFile, type DecoderForm } from '../../../tools/bench/dispatches/decoderForms.ts';
import { describePrograms, splitByLayer, total } from '../../../tools/bench/dispatches/perLayer.ts';
import { timeWasmDecodeSteps } from '../../../tools/bench/dispatches/wasmDecodeStep.ts';

const line = (program: string) => `2026-12-02 18:55:38.613 [I:onnxruntime:, webgpu_context.cc:512 Run] Starting program "${program}" (8, 1, 1)`;

describe('parseDispatchLog', () => {
  it("counts the programs between one model's markers, by name, and finds the placement line before them", () => {
    const log = [
      '2026-12-02 18:55:32.1 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp]  All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 29',
      line('MatMulNBits[4|1|0]:128,1,1:1|1'), // warm-up run: not counted
      beginMarker(0),
      line('LayerNorm[4|1|0]:1|1'),
      line('MatMulNBits[4|1|0]:128,1,1:1|1'),
      '2026-12-02 18:55:38.7 [V:onnxruntime:, allocator.cc:1 Alloc] not a program',
      line('MatMulNBits[4|1|0]:128,1,1:3|3'),
      line('Cast:1|1:5;:'),
      END_MARKER,
      beginMarker(1),
      line('Slice:1|3'),
      END_MARKER,
    ].join('\n');
    const first = parseDispatchLog(log, 0);
    expect(first.dispatches).toBe(4);
    expect([...first.programs]).toEqual([['LayerNorm', 1], ['MatMulNBits', 2], ['Cast', 1]]);
    expect(first.placement).toBe('All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 29');
    expect(parseDispatchLog(log, 1).dispatches).toBe(1);
    expect(() => parseDispatchLog(log, 2)).toThrow(/no markers for model 2/);
  });

  it('a log with no programs between the markers is an error, not zero dispatches', () => {
    const log = [line('MatMulNBits[4|1|0]:128,1,1:1|1'), beginMarker(0), END_MARKER].join('\n');
    expect(() => parseDispatchLog(log, 0)).toThrow(/no dispatches between the markers/);
  });
});

await describeOnNodeGpu('dispatches of one decode step on onnxruntime-node WebGPU', () => {
  const config = smallLlamaConfig();
  let dir: string;
  let fused: DecoderFile;
  let separate: DecoderFile;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dispatches-'));
    // The converter's default form (q, k, v in one MatMul) and the same weights with separate MatMuls.
    fused = await writeDecoderForm(config, 'q4f16', { fuseQkv: true, fuseGateUp: false, symmetric: false }, dir);
    separate = await writeDecoderForm(config, 'q4f16', { fuseQkv: false, fuseGateUp: false, symmetric: false }, dir);
  }, 60_000);
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('the fused q/k/v form dispatches 2 programs fewer per layer, all on the GPU, with the same logits', async () => {
    const [apart, together] = await profileDecodeSteps([separate.onnxPath, fused.onnxPath], { timedRuns: 1 });
    console.log(`q4f16 tiny decoder, one decode step: ${apart!.dispatches} dispatches separate, ${together!.dispatches} with q/k/v fused`);
    expect(together!.dispatches).toBe(apart!.dispatches - 2 * config.num_hidden_layers);
    expect(together!.programs.get('MatMulNBits')).toBe(apart!.programs.get('MatMulNBits')! - 2 * config.num_hidden_layers);
    for (const profile of [apart!, together!]) expect(profile.placement).toMatch(/^All nodes placed on \[WebGpuExecutionProvider\]/);
    expect(relativeMaxError(apart!.logits, together!.logits)).toBeLessThanOrEqual(1e-3);
  }, 60_000);

  it('the default form runs 13 programs per layer and 3 outside, no Cast and one Slice; symmetric weights fold the MLP into one program', async () => {
    const defaultForm: DecoderForm = { fuseQkv: true, fuseGateUp: false, symmetric: false };
    const symmetricForm: DecoderForm = { ...defaultForm, symmetric: true };
    const oneLayer = { ...config, num_hidden_layers: 1 };
    const symmetric = await writeDecoderForm(config, 'q4f16', symmetricForm, dir);
    const files = [
      fused,
      await writeDecoderForm(oneLayer, 'q4f16', defaultForm, join(dir, 'one')),
      symmetric,
      await writeDecoderForm(oneLayer, 'q4f16', symmetricForm, join(dir, 'one')),
    ];
    const [full, one, fullSymmetric, oneSymmetric] = await profileDecodeSteps(files.map((file) => file.onnxPath), { timedRuns: 1 });
    const split = splitByLayer(full!.programs, one!.programs, config.num_hidden_layers);
    const splitSymmetric = splitByLayer(fullSymmetric!.programs, oneSymmetric!.programs, config.num_hidden_layers);
    console.log(`q4f16 tiny decoder per layer: ${describePrograms(split.perLayer)}; outside: ${describePrograms(split.outside)}`);
    console.log(`symmetric: ${describePrograms(splitSymmetric.perLayer)}; outside: ${describePrograms(splitSymmetric.outside)}`);
    expect(total(split.perLayer)).toBe(13);
    expect(split.outside).toEqual(new Map([['LayerNorm', 1], ['MatMulNBits', 1], ['Slice', 1]]));
    expect(total(splitSymmetric.perLayer)).toBe(9);
    expect(splitSymmetric.perLayer.get('MatMulNBitsMlpDecode')).toBe(1);
    expect(splitSymmetric.perLayer.has('QuickGelu')).toBe(false);
    expect(splitSymmetric.outside).toEqual(split.outside);
    // The fused MLP program computes what wasm's separate kernels compute from the same symmetric weights.
    const [wasm] = await timeWasmDecodeSteps([symmetric], { timedRuns: 1 });
    expect(relativeMaxError(wasm!.logits, fullSymmetric!.logits)).toBeLessThanOrEqual(1e-2);
  }, 120_000);
});
