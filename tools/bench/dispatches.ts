/**
 * npm run bench:dispatches -- --bundle DIR [--variant q4f16] [--runs 9] [--bundle-only] [--wasm] [--symmetric]
 *
 * GPU dispatches and time of ONE decode step (one new position after 4 cached ones, static KV cache of 64,
 * kept on the GPU between steps) on onnxruntime-node's WebGPU EP, for the bundle's decoder and, unless
 * --bundle-only, for the same shape written in each graph form (q/k/v and gate/up MatMuls separate or fused)
 * from random weights (each also with 1 layer, which splits its dispatches into one layer's and those outside
 * the layers); --symmetric adds those forms with symmetric 4-bit weights. --wasm adds the step's time
 * on onnxruntime-web's wasm EP (one thread; its TurboFan compile takes about a minute here). The graphs are
 * timed in turns, so that load on the machine hits them alike.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { graphsFor, VARIANTS, type BundleManifest, type BundleVariant } from '../../src/core/bundle/manifest.ts';
import { AppError } from '../../src/core/errors.ts';
import { parseFlags, sharedFlags } from '../../cli/flags/flags.ts';
import { relativeMaxError } from '../testing/errorMetrics.ts';
import { describeDecoderLayout, layoutFormName, type DecoderLayout } from '../../converter/llama/decoderLayout.ts';
import { decoderForms, formName, writeDecoderForm, type DecoderFile, type DecoderForm } from './dispatches/decoderForms.ts';
import { profileDecodeSteps, type DecodeStepProfile } from '../../cli/host/dispatches/countDecodeDispatches.ts';
import { describePrograms, splitByLayer, total, type LayerSplit } from './dispatches/perLayer.ts';
import { timeWasmDecodeSteps, type WasmStepProfile } from './dispatches/wasmDecodeStep.ts';
import { llamaConfigOf } from '../../converter/checkpoint/llamaConfig.ts';
import { readBundleManifest } from '../../cli/host/folderBundle.ts';

const USAGE = `Usage: npm run bench:dispatches -- --bundle DIR [--variant q4f16] [--runs 9] [--bundle-only] [--wasm] [--symmetric]

  --bundle DIR     a converted bundle (manifest.json, onnx/)
  --variant V      which decoder (default: q4f16 when the bundle has it, else its first variant)
  --runs N         timed decode steps per graph after the warm-up (default 9; the median is printed)
  --bundle-only    only the bundle's own decoder, not the four graph forms of its shape
  --wasm           also time each step on onnxruntime-web's wasm EP (one thread)
  --symmetric      also the four forms with symmetric 4-bit weights (no zero points), which onnxruntime's
                   WebGPU graph fusions (MatMulNBitsQkv, MatMulNBitsMlp) require`;

interface Graph {
  label: string;
  file: DecoderFile;
  layout: DecoderLayout;
  /** The form this one's logits are compared with (same weights, q/k/v and gate/up separate). */
  baseline?: number;
  /** The same form written with one layer, which splits the dispatches into per layer and outside. */
  oneLayer?: DecoderFile;
}

interface Row extends Graph {
  gpu: DecodeStepProfile;
  wasm?: WasmStepProfile;
  split?: LayerSplit;
}

function printTable(rows: Row[], wasm: boolean): void {
  const diff = (row: Row, pick: (r: Row) => Float32Array | undefined) => {
    const base = row.baseline === undefined ? undefined : pick(rows[row.baseline]!);
    return base === undefined ? '—' : relativeMaxError(base, pick(row)!).toExponential(1);
  };
  const header = ['graph form', 'matmuls/layer', 'nodes/layer', 'dispatches/step', 'WebGPU ms', 'Δ vs separate'];
  if (wasm) header.push('wasm ms', 'wasm Δ');
  const cells = rows.map((row) => {
    const line = [row.label, `${row.layout.matmulsPerLayer}`, `${row.layout.nodesPerLayer}`, `${row.gpu.dispatches}`, row.gpu.medianMs.toFixed(1), diff(row, (r) => r.gpu.logits)];
    if (wasm) line.push(row.wasm!.medianMs.toFixed(1), diff(row, (r) => r.wasm?.logits));
    return line;
  });
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)));
  const format = (line: string[]) => `| ${line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const line of cells) console.log(format(line));
  console.log('\nDispatches by program; node placement after onnxruntime’s graph optimisations:');
  for (const row of rows) {
    console.log(`  ${row.label}: ${describePrograms(row.gpu.programs)}`);
    console.log(`    ${row.gpu.placement}`);
  }
  const split = rows.filter((row) => row.split !== undefined);
  if (split.length === 0) return;
  console.log('\nDispatches of one decoder layer and outside the layers (each form also profiled with 1 layer):');
  for (const row of split) {
    const { perLayer, outside } = row.split!;
    console.log(`  ${row.label}: ${total(perLayer)} per layer (${describePrograms(perLayer)}); ${total(outside)} outside (${describePrograms(outside)})`);
  }
}

function parse(argv: string[]) {
  const values = parseFlags(
    argv,
    {
      ...sharedFlags('bundle', 'variant', 'help'),
      runs: { type: 'string', default: '9' },
      'bundle-only': { type: 'boolean', default: false },
      wasm: { type: 'boolean', default: false },
      symmetric: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) throw new AppError('BAD_ARGUMENTS', USAGE);
  if (values.bundle === undefined) throw new AppError('BAD_ARGUMENTS', `--bundle is required\n\n${USAGE}`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new AppError('BAD_ARGUMENTS', `--runs must be a positive integer, not "${values.runs}"`);
  return { ...values, bundle: values.bundle, runs };
}

function variantToCount(manifest: BundleManifest, asked: string | undefined): BundleVariant {
  const variant = asked ?? (manifest.variants.includes('q4f16') ? 'q4f16' : manifest.variants[0]!);
  if (!(VARIANTS as readonly string[]).includes(variant) || !manifest.variants.includes(variant as BundleVariant)) {
    throw new AppError('BAD_ARGUMENTS', `--variant ${variant}: the bundle has ${manifest.variants.join(', ')}`);
  }
  return variant as BundleVariant;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const manifest = await readBundleManifest(args.bundle);
  const variant = variantToCount(manifest, args.variant);
  const spec = graphsFor(manifest, variant).get('decoder');
  if (spec === undefined) throw new AppError('BUNDLE_FILE_MISSING', `the bundle has no ${variant} decoder`);
  const c = manifest.llm;
  console.log(`${manifest.model.name} ${variant}: ${c.numLayers} layers, hidden ${c.hiddenSize}, MLP ${c.intermediateSize}, vocab ${c.vocabSize}`);
  console.log('One decode step: 1 new position after 4 cached, static KV cache of 64 positions on the GPU, onnxruntime-node WebGPU EP.\n');

  // 1. The graphs: the bundle's decoder, then each form of its shape from random weights.
  const own: DecoderFile = { onnxPath: join(args.bundle, spec.path), externalData: spec.externalData.map((path) => basename(path)) };
  const ownLayout = describeDecoderLayout(await readFile(own.onnxPath));
  const graphs: Graph[] = [{ label: `bundle (${layoutFormName(ownLayout)})`, file: own, layout: ownLayout }];
  const dir = await mkdtemp(join(tmpdir(), 'bench-dispatches-'));
  try {
    if (!args['bundle-only']) {
      const forms: DecoderForm[] = [...decoderForms(false), ...(args.symmetric && variant !== 'fp32' ? decoderForms(true) : [])];
      let baseline = 0;
      for (const form of forms) {
        process.stderr.write(`  writing ${formName(form)}\n`);
        const config = llamaConfigOf(manifest);
        const file = await writeDecoderForm(config, variant, form, dir);
        const oneLayer = await writeDecoderForm({ ...config, num_hidden_layers: 1 }, variant, form, join(dir, 'one-layer'));
        const separate = !form.fuseQkv && !form.fuseGateUp;
        if (separate) baseline = graphs.length;
        graphs.push({ label: formName(form), file, oneLayer, layout: describeDecoderLayout(await readFile(file.onnxPath)), ...(separate ? {} : { baseline }) });
      }
    }

    // 2. Dispatches and WebGPU time (one child process), then wasm time (this process).
    process.stderr.write(`  profiling ${graphs.length} graphs on WebGPU\n`);
    const oneLayer = graphs.flatMap((graph) => (graph.oneLayer === undefined ? [] : [graph.oneLayer.onnxPath]));
    const profiles = await profileDecodeSteps([...graphs.map((graph) => graph.file.onnxPath), ...oneLayer], { timedRuns: args.runs });
    const gpu = profiles.slice(0, graphs.length);
    let next = graphs.length; // the 1-layer profiles follow, in the graphs' order
    const splits = graphs.map((graph, i) => (graph.oneLayer === undefined ? undefined : splitByLayer(gpu[i]!.programs, profiles[next++]!.programs, c.numLayers)));
    let wasm: WasmStepProfile[] | undefined;
    if (args.wasm) {
      process.stderr.write('  timing them on wasm (compiling onnxruntime-web first)\n');
      wasm = await timeWasmDecodeSteps(graphs.map((graph) => graph.file), { timedRuns: args.runs });
    }
    printTable(
      graphs.map((graph, i) => ({ ...graph, gpu: gpu[i]!, ...(wasm === undefined ? {} : { wasm: wasm[i]! }), ...(splits[i] === undefined ? {} : { split: splits[i] }) })),
      args.wasm,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  const usage = error instanceof AppError && error.code === 'BAD_ARGUMENTS';
  process.stderr.write(usage && error.message === USAGE ? `${USAGE}\n` : `bench:dispatches: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(usage ? 2 : 1);
});
