/**
 * The engine bench in headless Chromium: the bench page built as the app is built, served with the bundles from
 * one cross-origin-isolated origin, and a persistent profile on disk (so the loader's OPFS cache lives on disk,
 * not in an incognito profile's memory). WebGPU is SwiftShader on a machine without a GPU.
 */
import { resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findChromium, QUIET_FLAGS } from '../../browser/chromium.ts';
import { startHarnessSite, type HarnessSite } from '../../browser/harness/site.ts';
import type { BenchMessage, BenchRequest } from './browser/protocol.ts';

/** The bench page (tools/bench/engine/browser) built and served, with each bundle folder at /bundles/<name>/, streamed (bundles may be gigabytes). */
export function startBenchSite(bundles: Record<string, string>): Promise<HarnessSite> {
  return startHarnessSite({
    page: resolve(import.meta.dirname, 'browser'),
    name: 'depictqa-engine-bench',
    prepare: async () => Object.fromEntries(Object.entries(bundles).map(([name, dir]) => [`/bundles/${name}/`, dir])),
  });
}

/** Chromium with WebGPU enabled and a profile in `profileDir` (created; the caller removes it). */
export function launchBenchBrowser(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: findChromium(),
    headless: true,
    args: [...QUIET_FLAGS, '--enable-unsafe-webgpu'],
  });
}

export interface PageRun {
  page: Page;
  /** WebGPU validation errors and crashes seen while it ran. */
  problems: string[];
}

/** Opens the bench page; `folder` is picked in its folder input (for `source: 'folder'`). */
export async function openBenchPage(context: BrowserContext, origin: string, folder?: string): Promise<PageRun> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('crash', () => problems.push('the page crashed'));
  page.on('console', (message) => {
    if (process.env.ENGINE_BENCH_VERBOSE) process.stderr.write(`  [page] ${message.text()}\n`);
    if (/validation error|WebGPU.*error/i.test(message.text())) problems.push(message.text());
  });
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => document.title === 'engine bench ready');
  if (folder !== undefined) await page.locator('#folder').setInputFiles(folder);
  return { page, problems };
}

type PlainBenchRequest = Omit<BenchRequest, 'images' | 'source'> & { images: Array<{ name: string; bytes: number[] }>; source: BenchRequest['source'] | 'folder' };

/** Runs a scenario in the page's worker, printing the worker's notes as they come. */
export async function runInPage(run: PageRun, request: PlainBenchRequest, note: (line: string) => void): Promise<BenchMessage> {
  const poll = setInterval(() => {
    run.page
      .evaluate(() => (globalThis as unknown as { takeNotes: () => string[] }).takeNotes())
      .then((lines) => lines.forEach(note), () => undefined);
  }, 2000);
  try {
    return (await run.page.evaluate(
      (plain) => (globalThis as unknown as { runBench: (r: unknown) => Promise<unknown> }).runBench(plain),
      request,
    )) as BenchMessage;
  } finally {
    clearInterval(poll);
    const rest = await run.page.evaluate(() => (globalThis as unknown as { takeNotes: () => string[] }).takeNotes()).catch(() => []);
    rest.forEach(note);
  }
}

/** Empties the origin's OPFS (the bundle cache), so that the next load downloads again. */
export async function clearBenchCache(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const names: string[] = [];
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    for (const name of names) await root.removeEntry(name, { recursive: true });
  });
}
