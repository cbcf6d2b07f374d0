/**
 * npx tsx tools/bench/decoderWebgpuCheck.ts: the tiny LLaMA's decoder graphs on onnxruntime-web's WebGPU EP in
 * headless Chromium (`--enable-unsafe-webgpu`: SwiftShader on a machine without a GPU), with CPU fallback
 * disabled so every node really runs on WebGPU, against the TypeScript reference: a 20-token prefill and 8
 * cached steps, with a growing and with a static (whole-context) KV cache. fp16 graphs need the adapter's `shader-f16`; without it their failure is reported, not hidden.
 * Prints one line per variant; exit status 1 when a variant that should run does not match.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium, QUIET_FLAGS } from '../browser/chromium.ts';
import { onnxRuntimeWebDir, serveStatic } from '../browser/staticServer.ts';
import { smallLlamaConfig } from '../../converter/llama/smallConfig.ts';
import { LlamaReference } from '../oracles/llama.ts';
import { randomLlamaWeights, spreadTokenIds } from '../oracles/randomLlama.ts';
import { cosine, relativeMaxError } from '../testing/errorMetrics.ts';
import { dequantizedLlamaWeights } from './quantizeReport.ts';
import { writeLlamaGraphs } from '../../converter/llama/convertLlama.ts';
import type { LlamaVariant } from '../../converter/llama/variants.ts';

const config = smallLlamaConfig();
const PREFILL = 20;
const STEPS = 8;

/**
 * Runs in the page: one decoder on WebGPU with a growing KV cache (staticLength 0) or one buffer for the whole
 * context (staticLength = max positions); returns the logits rows or the error text.
 */
const PAGE_SCRIPT = `
import * as ort from '/ort/ort.webgpu.bundle.min.mjs';
import { smallLlamaConfig } from '../../converter/llama/smallConfig.ts';
window.runDecoder = async ({ variant, folder, embeds, hidden, layers, kvHeads, headDim, prefill, steps, staticLength }) => {
  const adapter = await navigator.gpu.requestAdapter();
  const info = adapter.info ? adapter.info.vendor + ' ' + adapter.info.architecture : 'unknown adapter';
  const fp16 = variant === 'q4f16';
  try {
    const fetchBytes = async (name) => new Uint8Array(await (await fetch('/model/' + folder + name)).arrayBuffer());
    const file = 'decoder_model_merged_' + variant + '.onnx';
    const session = await ort.InferenceSession.create(await fetchBytes(file), {
      executionProviders: ['webgpu'],
      externalData: [{ path: file + '_data', data: await fetchBytes(file + '_data') }],
      extra: { session: { disable_cpu_ep_fallback: '1' } },
    });
    const toHalf = (values) => { const out = new Uint16Array(values.length); const f = new Float32Array(1); const u = new Uint32Array(f.buffer);
      for (let i = 0; i < values.length; i++) { f[0] = values[i]; const x = u[0]; const e = ((x >>> 23) & 255) - 112; out[i] = ((x >>> 16) & 0x8000) | (e <= 0 ? 0 : (e << 10) | ((x >>> 13) & 1023)); }
      return out; };
    const fromHalf = (h) => { const e = (h >> 10) & 31, m = h & 1023, sign = h & 0x8000 ? -1 : 1;
      return e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15); };
    const floats = (t) => (t.type === 'float16' && t.data instanceof Uint16Array ? Array.from(t.data, fromHalf) : Array.from(t.data));
    let past = {};
    for (let i = 0; i < layers; i++) for (const w of ['key', 'value'])
      past['past_key_values.' + i + '.' + w] = new ort.Tensor(fp16 ? 'float16' : 'float32', fp16 ? new Uint16Array(kvHeads * staticLength * headDim) : new Float32Array(kvHeads * staticLength * headDim), [1, kvHeads, staticLength, headDim]);
    const rows = [];
    let length = 0;
    const chunks = [[0, prefill]];
    for (let s = 0; s < steps; s++) chunks.push([prefill + s, prefill + s + 1]);
    for (const [from, to] of chunks) {
      const x = new Float32Array(embeds.slice(from * hidden, to * hidden));
      const total = length + to - from;
      const feeds = { ...past,
        inputs_embeds: new ort.Tensor(fp16 ? 'float16' : 'float32', fp16 ? toHalf(x) : x, [1, to - from, hidden]),
        seqlens_k: new ort.Tensor('int32', new Int32Array([total - 1]), [1]),
        total_sequence_length: new ort.Tensor('int32', new Int32Array([total]), []) };
      const out = await session.run(feeds);
      rows.push(floats(out.logits));
      past = {};
      for (let i = 0; i < layers; i++) for (const w of ['key', 'value']) past['past_key_values.' + i + '.' + w] = out['present.' + i + '.' + w];
      length = total;
    }
    return { adapter: info, rows };
  } catch (error) {
    return { adapter: info, error: String(error && error.message || error) };
  }
};
document.body.dataset.ready = 'true';
`;

function referenceRows(weights: Parameters<typeof dequantizedLlamaWeights>[0], ids: number[]): Float32Array[] {
  const model = new LlamaReference(config, new Map(weights));
  const rows = [model.forwardLast(ids.slice(0, PREFILL))];
  for (const id of ids.slice(PREFILL)) rows.push(model.forwardLast([id]));
  return rows;
}

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'llama-webgpu-'));
  const weights = randomLlamaWeights(config, 11);
  const variants: LlamaVariant[] = ['fp32', 'q4', 'q4f16'];
  await writeLlamaGraphs(config, async (name) => weights.get(name)!.data, dir, { variants });
  await mkdir(join(dir, 'fused'));
  await writeLlamaGraphs(config, async (name) => weights.get(name)!.data, join(dir, 'fused'), { variants: ['q4'], fuseQkv: true, fuseGateUp: true });
  const ids = spreadTokenIds(PREFILL + STEPS, config.vocab_size);
  const embeds = Array.from(new LlamaReference(config, weights).embed(ids));
  const exact = referenceRows(weights, ids);
  const expected: Record<LlamaVariant, Float32Array[]> = {
    fp32: exact,
    q4: referenceRows(dequantizedLlamaWeights(weights), ids),
    q4f16: referenceRows(dequantizedLlamaWeights(weights, { scaleType: 'float16' }), ids),
  };
  const html = `<!doctype html><body><script type="module">${PAGE_SCRIPT}</script></body>`;
  const server = await serveStatic({ pages: { '/': html }, folders: { '/ort/': onnxRuntimeWebDir(), '/model/': dir } });
  const browser = await chromium.launch({ executablePath: findChromium(), args: [...QUIET_FLAGS, '--enable-unsafe-webgpu'] });
  let failures = 0;
  try {
    const page = await browser.newPage();
    page.on('console', (message) => {
      if (/WebGPU validation error/i.test(message.text())) {
        console.log(`  console: ${message.text()}`);
        failures++;
      }
    });
    await page.goto(`${server.origin}/`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const runs = [
      ...variants.flatMap((v) => [[v, '', 0], [v, '', config.max_position_embeddings]] as const),
      ['q4', 'fused/', config.max_position_embeddings] as const,
    ];
    for (const [variant, folder, staticLength] of runs) {
      const args = { variant, folder, embeds, hidden: 64, layers: 2, kvHeads: 2, headDim: 16, prefill: PREFILL, steps: STEPS, staticLength };
      const label = `${variant.padEnd(5)}${folder === '' ? '' : ' fused q/k/v, gate/up,'} ${staticLength === 0 ? 'growing' : 'static '} KV cache`;
      const result = await page.evaluate(
        (a) => (window as unknown as { runDecoder: (x: typeof a) => Promise<{ adapter: string; rows?: number[][]; error?: string }> }).runDecoder(a),
        args,
      );
      if (result.error !== undefined) {
        console.log(`${label} on ${result.adapter}: FAILED: ${result.error.slice(0, 300)}`);
        if (variant !== 'q4f16') failures++;
        continue;
      }
      const rows = result.rows!;
      const error = Math.max(...rows.map((row, i) => relativeMaxError(expected[variant][i]!, row)));
      const similarity = Math.min(...rows.map((row, i) => cosine(exact[i]!, row)));
      const ok = error <= (variant === 'q4f16' ? 3e-3 : 1e-4) && similarity >= 0.99;
      if (!ok) failures++;
      console.log(
        `${label} on ${result.adapter}: ${ok ? 'ok' : 'MISMATCH'}, relative error ${error.toExponential(2)} vs the ${variant === 'fp32' ? 'fp32' : 'dequantized'} reference, cosine ${similarity.toFixed(5)} vs fp32`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
