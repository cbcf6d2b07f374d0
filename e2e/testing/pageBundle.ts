/**
 * The tiny DepictQA bundle for page-flow tests, and what the engine answers with it in Node (`npm run ask --
 * --json`): the text a page must show for the same images, question and settings. The bundle is the engine
 * tests' (`buildTinyBundle`), but the page is held to the Node answer, not to the oracles' outputs.
 * Build it once per describe block (`pageFlowBundle`): conversion takes seconds on two cores.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import type { ConfidenceReport } from '../../src/core/engine/confidence.ts';
import type { TaskId } from '../../src/core/tasks.ts';
import { buildTinyBundle } from '../../cli/host/testing/tinyBundle.ts';
import type { TinyEdits } from '../../tools/tiny/imageAnswer.ts';
import { expect, test } from '../fixtures.ts';

const repo = resolve(import.meta.dirname, '../..');

/** What `npm run ask -- --json` prints of an answer (the fields the page tests compare). */
export interface AskRecord {
  kind: 'full-reference' | 'no-reference';
  /** The question as inserted into the prompt. */
  question: string;
  /** Its position in the task's set; null for the user's own text. */
  questionIndex: number | null;
  answer: string;
  stopReason: string;
  verdict: 'A' | 'B' | null;
  distortion: string | null;
  sampling: { temperature: number; seed: number };
  stats: { tokensGenerated: number };
  /** DepictQA's confidence of the answer (without a sentence embedder, as in the page); null with --no-confidence. */
  confidence: ConfidenceReport | null;
}

export interface PageBundle {
  /** Scratch folder holding the bundle and the images written by `writeImage`. */
  root: string;
  /** The converted bundle folder (q4 only). */
  bundleDir: string;
  remove(): Promise<void>;
}

/**
 * Builds the tiny random checkpoint and converts it (q4 only: the variant the CPU backend picks, in the page and in
 * Node); `edits` change its tensors first (e.g. `imageAnswerEdits`, for a known answer); `abstractor` makes it an
 * Abstractor model, converted with its config.yaml (DQ495K_Abstractor's image rule, 1024 / 2048).
 */
export async function buildPageBundle(seed = 11, edits?: TinyEdits, model: { abstractor?: boolean } = {}): Promise<PageBundle> {
  const root = await mkdtemp(join(tmpdir(), 'depictqa-e2e-'));
  const { bundleDir } = await buildTinyBundle(root, ['q4'], { seed, vision: true, ...(edits === undefined ? {} : { edits }), ...(model.abstractor === true ? { abstractor: true } : {}) });
  return { root, bundleDir, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * A small PNG with a fixed pattern (the same bytes at every run), so answers are reproducible. 70×84 gives 30
 * image rows: a short prompt. `variant` changes the pattern, so two images differ.
 */
export async function patternPng(variant = 0, width = 70, height = 84): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * (37 + 2 * variant) + (i >> 5) * (11 + variant)) & 255;
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Writes image bytes into the bundle's scratch folder and returns the path (for `askJson`). */
export async function writeImage(bundle: PageBundle, name: string, bytes: Buffer): Promise<string> {
  const path = join(bundle.root, name);
  await writeFile(path, bytes);
  return path;
}

export interface AskOptions {
  task: TaskId;
  /** Image paths by slot. */
  images: { reference?: string; a: string; b?: string };
  questionIndex?: number;
  /** The user's own question instead of an index. */
  question?: string;
  maxNewTokens: number;
  /** More `npm run ask` flags, e.g. ['--temperature', '0.8', '--seed', '7']. */
  extra?: string[];
}

/**
 * The engine's answer in Node as `npm run ask -- --json` gives it. Its own process: Playwright's loader cannot
 * import the prompts' JSON that the engine needs.
 */
export async function askJson(bundle: PageBundle, options: AskOptions): Promise<AskRecord> {
  // The CPU device: the page's answers to compare with are q4 on the wasm EP (or on SwiftShader, which has no fp16);
  // without it `ask` takes a GPU driver where one is installed, and q4f16 there, whose greedy text drifts from q4's.
  const args = ['tsx', 'cli/ask.ts', '--bundle', bundle.bundleDir, '--device', 'cpu', '--task', options.task, '--a', options.images.a];
  if (options.images.reference !== undefined) args.push('--ref', options.images.reference);
  if (options.images.b !== undefined) args.push('--b', options.images.b);
  if (options.questionIndex !== undefined) args.push('--question-index', String(options.questionIndex));
  if (options.question !== undefined) args.push('--question', options.question);
  args.push('--max-new-tokens', String(options.maxNewTokens), '--json', ...(options.extra ?? []));
  const { stdout } = await promisify(execFile)('npx', args, { cwd: repo });
  const record = JSON.parse(stdout) as AskRecord & { error?: { message: string } };
  if (record.error !== undefined) throw new Error(`npm run ask failed: ${record.error.message}`);
  return record;
}

/** Loads the bundle through the page's folder input and waits until the model is ready (on the CPU backend unless said). */
export async function loadPageBundle(page: Page, bundle: PageBundle, ready = 'q4 · CPU (wasm)'): Promise<void> {
  await page.getByTestId('model-folder-input').setInputFiles(bundle.bundleDir);
  await page.getByTestId('preflight').getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByTestId('model-ready')).toContainText(ready, { timeout: 120_000 });
}

// ── Page steps shared by the page-flow specs ────────────────────────────────────────────────────────────────

export type Slot = 'reference' | 'a' | 'b';
const SLOT_NAMES: Record<Slot, string> = { reference: 'Reference', a: 'Image A', b: 'Image B' };

/** Fills a slot through the browser's real file chooser, opened by the slot's own button. */
export async function chooseImage(page: Page, slot: Slot, name: string, bytes: Buffer): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: new RegExp(`^Choose ${SLOT_NAMES[slot]}`) }).click();
  await (await chooser).setFiles({ name, mimeType: 'image/png', buffer: bytes });
  await expect(page.getByTestId(`slot-${slot}`)).toHaveAttribute('data-filled', 'true', { timeout: 30_000 });
}

/** Drops files on an element the way a browser does: a real DataTransfer with File objects in a drop event. */
export async function dropImages(page: Page, selector: string, files: { name: string; bytes: Buffer; type?: string }[]): Promise<void> {
  const payload = files.map((file) => ({ name: file.name, type: file.type ?? 'image/png', data: [...file.bytes] }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const file of list) transfer.items.add(new File([new Uint8Array(file.data)], file.name, { type: file.type }));
    return transfer;
  }, payload);
  await page.dispatchEvent(selector, 'dragover', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

/** Types a bundle URL in the model panel and presses Check, so the pre-flight card reads its manifest. */
export async function checkBundleUrl(page: Page, url: string): Promise<void> {
  await page.getByLabel('Bundle URL').fill(url);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
}

/** Opens the collapsed generation settings (once) and types the answer length. */
export async function setMaxNewTokens(page: Page, count: number): Promise<void> {
  const details = page.locator('details', { has: page.getByText('Generation settings', { exact: true }) });
  if ((await details.getAttribute('open')) === null) await page.getByText('Generation settings', { exact: true }).click();
  await page.getByLabel('Max new tokens').fill(String(count));
}

/** Picks question `index` of the task's set in the question menu. */
export async function pickQuestion(page: Page, index: number): Promise<void> {
  await page.getByLabel('Question', { exact: true }).selectOption(String(index));
}

/** Presses Run (or Regenerate) and waits for the answer to be done. */
export async function runToDone(page: Page, button: 'Run' | 'Regenerate' = 'Run', timeoutMs = 60_000): Promise<void> {
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: timeoutMs });
}

/** The page side of `describedPattern`: the pattern as Image A, the Description set's first question, the answer length. */
export async function setUpDescription(page: Page, imageA: Buffer, maxNewTokens: number): Promise<void> {
  await chooseImage(page, 'a', 'a.png', imageA);
  await pickQuestion(page, 0);
  await setMaxNewTokens(page, maxNewTokens);
}

/** A pattern image written beside the bundle as a.png, and the engine's greedy Description of it in Node: what a page flow must show. */
export async function describedPattern(bundle: PageBundle, maxNewTokens: number): Promise<{ imageA: Buffer; expected: AskRecord }> {
  const imageA = await patternPng();
  const a = await writeImage(bundle, 'a.png', imageA);
  const expected = await askJson(bundle, { task: 'description', images: { a }, questionIndex: 0, maxNewTokens });
  return { imageA, expected };
}

// ── One bundle per describe block ───────────────────────────────────────────────────────────────────────────

export type ProjectName = 'wasm' | 'webgpu';

/** Why the other project skips a block. */
const SKIP_REASON: Record<ProjectName, string> = {
  // The engine's backends have their own browser tests; the page flow is the same on both.
  wasm: 'the page flow is the same on both backends: run once, without WebGPU',
  webgpu: 'the page flow on WebGPU',
};

export interface PageFlowOptions<T> {
  /** The project that runs the block's tests; the other skips them and builds nothing. */
  project: ProjectName;
  /** Changes to the random checkpoint before it is converted (e.g. `imageAnswerEdits`). */
  edits?: TinyEdits;
  /** An Abstractor model, with its own image rule (see `buildPageBundle`). */
  abstractor?: boolean;
  /** What the tests need beside the bundle (images, the engine's answers in Node, a server), made once after it. */
  prepare?: (bundle: PageBundle) => Promise<T>;
  /** Releases what `prepare` made, before the bundle is removed. */
  release?: (prepared: T) => Promise<void>;
  /** For building the bundle and `prepare`. */
  setupTimeoutMs?: number;
  /** Each test's timeout, where the block's tests share one. */
  testTimeoutMs?: number;
}

/**
 * Registers, in the calling describe block (or file), the project its tests run in and the bundle's lifecycle:
 * built before the first test, removed after the last. Returns what the tests read: the bundle and what
 * `prepare` made of it.
 */
export function pageFlowBundle<T extends object = Record<never, never>>(options: PageFlowOptions<T>): () => T & { bundle: PageBundle } {
  let bundle: PageBundle | undefined;
  let prepared: T | undefined;

  test.beforeEach(({ browserName: _ }, testInfo) => {
    test.skip(testInfo.project.name !== options.project, SKIP_REASON[options.project]);
    if (options.testTimeoutMs !== undefined) test.setTimeout(options.testTimeoutMs);
  });

  test.beforeAll(async ({ browserName: _ }, testInfo) => {
    if (testInfo.project.name !== options.project) return;
    // Conversion and the answers in Node take seconds to minutes on two shared cores.
    test.setTimeout(options.setupTimeoutMs ?? 120_000);
    bundle = await buildPageBundle(undefined, options.edits, { abstractor: options.abstractor === true });
    prepared = options.prepare === undefined ? ({} as T) : await options.prepare(bundle);
  });

  test.afterAll(async () => {
    if (prepared !== undefined) await options.release?.(prepared);
    await bundle?.remove();
  });

  return () => {
    if (bundle === undefined || prepared === undefined) throw new Error(`the page-flow bundle is built only in the ${options.project} project`);
    return { ...prepared, bundle };
  };
}

// ── Rankings ────────────────────────────────────────────────────────────────────────────────────────────────

/** What `npm run rank -- --json` prints (the fields the page tests compare). */
export interface RankJsonRecord {
  mode: 'active' | 'allPairs';
  ranking: { rank: number; image: string; index: number; score: number; low: number; high: number; votes: number; wins: number; losses: number }[];
  comparisons: { images: [string, string]; orders: { a: string; b: string; pA: number; pB: number }[] }[];
  positionBias: number;
  settled: boolean;
  stats: { pairs: number; comparisons: number; modelRuns: number; prefillTokensSaved: number };
}

/** The engine's ranking in Node as `npm run rank -- --json --device cpu` gives it (its own process, as `askJson`). */
export async function rankJson(bundle: PageBundle, options: { reference?: string; candidates: string[]; allPairs?: boolean }): Promise<RankJsonRecord> {
  const args = ['tsx', 'cli/rank.ts', '--bundle', bundle.bundleDir, '--device', 'cpu', '--json'];
  if (options.reference !== undefined) args.push('--ref', options.reference);
  if (options.allPairs === true) args.push('--all-pairs');
  args.push('--candidates', ...options.candidates);
  const { stdout } = await promisify(execFile)('npx', args, { cwd: repo });
  const record = JSON.parse(stdout) as RankJsonRecord & { error?: { message: string } };
  if (record.error !== undefined) throw new Error(`npm run rank failed: ${record.error.message}`);
  return record;
}
