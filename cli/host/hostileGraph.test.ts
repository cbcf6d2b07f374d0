/**
 * A bundle whose decoder graph reads its weights from a path outside the bundle, with a manifest whose hashes
 * match (as a hostile bundle's would): both runtimes refuse it, and the engine's message names the path and says
 * the bundle is damaged or hostile, not that the GPU lacks memory.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeOrt } from './ortNode.ts';
import { createNodeEngine } from './nodeHost.ts';
import { describeOnNodeGpu } from './testing/nodeGpuSuite.ts';
import { buildTinyBundle, type TinyBundle } from './testing/tinyBundle.ts';

const GRAPH = 'onnx/decoder_model_merged_q4.onnx';
/** As long as the chunk's own name, so that the .onnx's protobuf lengths stay right when it is written over it. */
const OUTSIDE = './../../../../../../../etc/passwd';

let root: string;
let bundle: TinyBundle;

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-hostile-'));
  bundle = await buildTinyBundle(root, ['q4'], { seed: 1 });
  const path = join(bundle.bundleDir, GRAPH);
  const original = await readFile(path);
  const location = Buffer.from('decoder_model_merged_q4.onnx_data');
  expect(location.length).toBe(OUTSIDE.length);
  const hostile = Buffer.from(original);
  let replaced = 0;
  for (let at = hostile.indexOf(location); at >= 0; at = hostile.indexOf(location, at + 1), replaced++) Buffer.from(OUTSIDE).copy(hostile, at);
  expect(replaced).toBeGreaterThan(10);
  await writeFile(path, hostile);
  // The manifest vouches for the rewritten file, as a hostile bundle's would.
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const manifestPath = join(bundle.bundleDir, 'manifest.json');
  await writeFile(manifestPath, (await readFile(manifestPath, 'utf8')).replaceAll(sha(original), sha(hostile)));
}, 120_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

async function loadFailure(device: 'cpu' | 'webgpu') {
  const engine = createNodeEngine({}, device);
  const error = await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant: 'q4' }).then(
    () => null,
    (caught: unknown) => caught as { code: string; message: string; hint?: string },
  );
  await engine.unload();
  return error;
}

function expectRefused(error: { code: string; message: string; hint?: string } | null) {
  expect(error).toMatchObject({ code: 'BUNDLE_UNSAFE_PATH' });
  expect(error!.message).toContain(`${GRAPH} reads its weights from "${OUTSIDE}", which is not one of the bundle's files: the bundle is damaged or hostile`);
  expect(error!.hint).toMatch(/source you trust/);
  expect(error!.hint).not.toMatch(/memory/i);
}

describe('a graph whose external data lies outside the bundle', () => {
  it('is refused on the CPU (onnxruntime-web wasm), naming the path', async () => {
    expectRefused(await loadFailure('cpu'));
  }, 60_000);
});

await describeOnNodeGpu('a graph whose external data lies outside the bundle, on the GPU', () => {
  it('is refused by onnxruntime-node, naming the path, with no GPU-memory hint', async () => {
    expectRefused(await loadFailure('webgpu'));
  }, 60_000);
});
