/**
 * Runs vision graphs in headless Chromium on onnxruntime-web's WebGPU EP (Debian's Chromium exposes only the
 * SwiftShader software adapter here) with the CPU EP fallback disabled, so that a graph which opens has every node
 * on WebGPU. The page builds the same deterministic pixels as `benchPixels`, runs each graph and hands back the
 * outputs' first values and the timings. For the vision bench.
 */
import { QUIET_FLAGS, findChromium } from '../browser/chromium.ts';
import { onnxRuntimeWebDir, serveStatic } from '../browser/staticServer.ts';

export interface BrowserGraph {
  /** The .onnx file's name inside the served folder, and its data chunks. */
  model: string;
  data: string[];
}

export interface BrowserRun {
  height: number;
  width: number;
  /** The first `keep` output values, fp16 outputs widened. */
  values: number[];
  dims: number[];
  medianMs: number;
}

export interface BrowserResult {
  adapter: string;
  runs: BrowserRun[];
}

/** Pixel values of a size, the same in Node and in the page: smooth, in CLIP's normalised range. */
export function benchPixels(height: number, width: number): Float32Array {
  return Float32Array.from({ length: 3 * height * width }, (_, i) => Math.sin(i * 0.37) * 1.5);
}

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import * as ort from '/ort/ort.webgpu.bundle.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
window.runVision = async ({ graph, sizes, repeats, keep, verbose }) => {
  if (verbose) ort.env.logLevel = 'verbose';
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const session = await ort.InferenceSession.create('/models/' + graph.model, {
    executionProviders: ['webgpu'],
    externalData: graph.data.map((name) => ({ path: name, data: '/models/' + name })),
    extra: { session: { disable_cpu_ep_fallback: verbose ? '0' : '1' } },
    ...(verbose ? { logSeverityLevel: 0, logVerbosityLevel: 0 } : {}),
  });
  const runs = [];
  for (const [height, width] of sizes) {
    const pixels = Float32Array.from({ length: 3 * height * width }, (_, i) => Math.sin(i * 0.37) * 1.5);
    const times = [];
    let output;
    for (let r = 0; r < repeats; r++) {
      const started = performance.now();
      const result = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, height, width]) });
      output = result.image_features;
      await output.getData();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const data = await output.getData();
    const values = Array.from(output.type === 'float16' ? new Float32Array(Array.from(data.subarray(0, keep), half)) : data.subarray(0, keep));
    runs.push({ height, width, values, dims: output.dims, medianMs: times[Math.floor(times.length / 2)] });
  }
  await session.release();
  const info = adapter.info ?? {};
  return { adapter: [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown', runs };
};
function half(bits) {
  const exponent = (bits >> 10) & 31, mantissa = bits & 1023, sign = bits & 32768 ? -1 : 1;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
window.pageReady = true;
</script>`;

/**
 * Runs `graph` from `modelsDir` on each size `repeats` times in Chromium's WebGPU; throws when a node would need the
 * CPU EP. `verbose` prints onnxruntime's log (node placements included) and lets nodes fall back, to see which.
 */
export async function runVisionInChromium(
  modelsDir: string,
  graph: BrowserGraph,
  sizes: Array<[number, number]>,
  options: { repeats?: number; keep?: number; verbose?: boolean } = {},
): Promise<BrowserResult> {
  const { chromium } = await import('playwright-core');
  const server = await serveStatic({ pages: { '/': PAGE }, folders: { '/ort/': onnxRuntimeWebDir(), '/models/': modelsDir } });
  const browser = await chromium.launch({ executablePath: findChromium(), args: [...QUIET_FLAGS, '--enable-unsafe-webgpu'] });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (options.verbose) console.log(message.text());
      if (/validation error/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true);
    const result = await page.evaluate(
      (args) => (window as unknown as { runVision: (a: unknown) => Promise<BrowserResult> }).runVision(args),
      { graph, sizes, repeats: options.repeats ?? 1, keep: options.keep ?? 4096, verbose: options.verbose === true },
    );
    if (problems.length > 0) throw new Error(`WebGPU validation errors: ${problems.join('; ')}`);
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}
