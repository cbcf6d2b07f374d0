import type { Page } from '@playwright/test';
import type { LoadProgress } from '../src/core/bundle/bundleFiles.ts';
import type { BundleManifest } from '../src/core/bundle/manifest.ts';
import { variantFiles } from '../src/core/bundle/variantFiles.ts';
import { BundleServer } from './bundleHarness/bundleServer.ts';
import type { BundleHarness, LoadRequest, LoadResult } from './bundleHarness/protocol.ts';
import { prepareBundleFixtures, type BundleFixtures } from './bundleHarness/setup.ts';
import { expect, test } from './fixtures.ts';
import { readBundleManifest } from '../cli/host/folderBundle.ts';

/**
 * The bundle loader in Chromium, on the page and in a module worker: real OPFS, real cross-origin fetches
 * from a local server that can misbehave on cue, and the tiny model converted by the real converter.
 */
const WEIGHTS = 'onnx/decoder_model_merged_q4.onnx_data';

let fixtures: BundleFixtures;
let server: BundleServer;
let manifest: BundleManifest;
let q4Files: string[];
let q4Bytes: number;

test.beforeAll(async () => {
  if (test.info().project.name !== 'wasm') return;
  fixtures = await prepareBundleFixtures();
  server = new BundleServer(fixtures.harnessDir, { tiny: fixtures.bundleDir });
  await server.start();
  manifest = await readBundleManifest(fixtures.bundleDir);
  q4Files = variantFiles(manifest, 'q4');
  q4Bytes = manifest.files.filter((file) => q4Files.includes(file.path)).reduce((sum, file) => sum + file.bytes, 0);
});

test.afterAll(async () => {
  await server?.stop();
  await fixtures?.dispose();
});

test.beforeEach(async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'wasm', 'no GPU involved: covered once, by the wasm project');
  server.reset();
  await openHarness(page);
});

async function openHarness(page: Page): Promise<void> {
  await page.goto(`${server.pageOrigin}/harness/`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

const bundleUrl = () => `${server.bundleOrigin}/tiny/`;
const specOf = (path: string) => manifest.files.find((file) => file.path === path)!;

function load(page: Page, request: Partial<LoadRequest> = {}): Promise<LoadResult> {
  const full: LoadRequest = { where: 'page', source: { kind: 'url', url: bundleUrl() }, variant: 'q4', retryBaseMs: 20, ...request };
  return page.evaluate((arg) => (window as unknown as { bundleHarness: BundleHarness }).bundleHarness.load(arg), full);
}

/** Options for a load that meets a 'drop' fault: the server drops the connection once the loader reports the bytes sent stored. */
const reportingStored = (): Partial<LoadRequest> => ({ storedUrl: server.storedUrl, progressIntervalMs: 0 });

function harness<T>(page: Page, call: (harness: BundleHarness) => Promise<T>): Promise<T> {
  return page.evaluate(`(${call.toString()})(window.bundleHarness)`) as Promise<T>;
}

/** Every file read back equals the manifest's sha256. */
function expectVerifiedReads(result: LoadResult, paths: string[]): void {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  expect(result.readError).toBeUndefined();
  expect(result.reads?.map((read) => read.path)).toEqual(paths);
  for (const read of result.reads ?? []) expect(read.sha256, read.path).toBe(specOf(read.path).sha256);
}

/** Events of one file: loaded bytes never run backwards and end at the file's size. */
function expectFileProgress(events: LoadProgress[], path: string): void {
  const mine = events.filter((event) => event.file === path);
  expect(mine.length, `events for ${path}`).toBeGreaterThan(0);
  const loaded = mine.map((event) => event.fileBytesLoaded);
  expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
  expect(mine.at(-1)!.fileBytesLoaded).toBe(specOf(path).bytes);
}

for (const where of ['page', 'worker'] as const) {
  test.describe(`on the ${where}`, () => {
    test('downloads the chosen variant with per-file and total progress, rate and ETA, and verifies every file', async ({ page }) => {
      // The weights arrive at ~2 MB/s, long enough for the rate window to measure.
      server.faults = [{ path: WEIGHTS, kind: 'throttle', bytesPerSecond: 2_000_000 }];
      const result = await load(page, { where, read: 'all' });
      expectVerifiedReads(result, q4Files);
      expect(result.syncAccess, 'workers write through sync access handles, the page through createWritable').toBe(where === 'worker');
      expect(result.files).toEqual(q4Files);
      expect(result.bytesDownloaded).toBe(q4Bytes);
      expect(result.label).toBe(bundleUrl());
      for (const path of q4Files) expectFileProgress(result.events, path);
      const last = result.events.at(-1)!;
      expect(last).toMatchObject({ bytesLoaded: q4Bytes, bytesTotal: q4Bytes, etaSeconds: 0, fromCache: false });
      const totals = result.events.map((event) => event.bytesLoaded);
      expect(totals).toEqual([...totals].sort((a, b) => a - b));
      // Throttled to ~10 a second while bytes flow, not one per chunk.
      const weightEvents = result.events.filter((event) => event.file === WEIGHTS);
      expect(weightEvents.length).toBeLessThan(20);
      const measured = weightEvents.filter((event) => event.bytesPerSecond > 0);
      expect(measured.length).toBeGreaterThan(0);
      for (const event of measured) {
        expect(event.bytesPerSecond).toBeGreaterThan(500_000);
        expect(event.bytesPerSecond).toBeLessThan(8_000_000);
        expect(event.etaSeconds).not.toBeNull();
      }
      // One plain request per file (no Range on a first download), none for the fp32 variant.
      expect(server.requests.map((request) => request.path).sort()).toEqual(['manifest.json', ...q4Files].sort());
      expect(server.requests.every((request) => request.range === null)).toBe(true);
    });

    test('resumes with a Range request after the connection drops mid-file', async ({ page }) => {
      server.faults = [{ path: WEIGHTS, kind: 'drop', afterBytes: 700_000, times: 1 }];
      const result = await load(page, { where, read: [WEIGHTS], ...reportingStored() });
      expectVerifiedReads(result, [WEIGHTS]);
      const requests = server.requestsFor(WEIGHTS);
      expect(requests.map((request) => request.status)).toEqual([200, 206]);
      expect(requests.map((request) => request.range)).toEqual([null, 'bytes=700000-']);
      // Bytes already stored were not downloaded twice.
      expect(result.bytesDownloaded).toBe(q4Bytes);
      expectFileProgress(result.events, WEIGHTS);
    });

    test('re-downloads a file whose sha256 is wrong once, then fails naming it', async ({ page }) => {
      server.faults = [{ path: WEIGHTS, kind: 'corrupt', times: 1 }];
      const healed = await load(page, { where, read: [WEIGHTS] });
      expectVerifiedReads(healed, [WEIGHTS]);
      expect(server.requestsFor(WEIGHTS).map((request) => request.range)).toEqual([null, null]);

      await harness(page, (h) => h.clearCache());
      server.reset();
      server.faults = [{ path: WEIGHTS, kind: 'corrupt' }];
      const failed = await load(page, { where });
      expect(failed.error?.code).toBe('BUNDLE_HASH_MISMATCH');
      expect(failed.error?.message).toMatch(
        new RegExp(`^${WEIGHTS.replaceAll('.', '\\.')}: its sha256 is [0-9a-f]{64}, but the manifest says ${specOf(WEIGHTS).sha256} \\(downloaded twice from ${server.bundleOrigin}/tiny/onnx/`),
      );
      expect(server.requestsFor(WEIGHTS)).toHaveLength(2);
    });
  });
}

test('a reload opens the bundle from the cache: only the manifest is fetched again', async ({ page }) => {
  const first = await load(page);
  expect(first.error).toBeUndefined();
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  server.reset();

  const second = await load(page, { read: 'all' });
  expectVerifiedReads(second, q4Files);
  expect(second.bytesDownloaded).toBe(0);
  expect(second.events.map((event) => event.file)).toEqual(q4Files);
  expect(second.events.every((event) => event.fromCache)).toBe(true);
  expect(server.requests.map((request) => request.path)).toEqual(['manifest.json']);

  // The worker sees the same cache (the engine loads there).
  const inWorker = await load(page, { where: 'worker', read: [WEIGHTS], readInParts: [WEIGHTS] });
  expectVerifiedReads(inWorker, [WEIGHTS]);
  expect(inWorker.bytesDownloaded).toBe(0);
  // There, weights are also read in parts (as onnxruntime-web reads external data): the same bytes. The page has
  // no synchronous file reads, so it reads whole files only.
  expect(inWorker.inParts).toBe(true);
  // The cache is OPFS: its files are read through a sync access handle.
  expect(inWorker.partReads).toEqual([
    { path: WEIGHTS, bytes: specOf(WEIGHTS).bytes, sha256: specOf(WEIGHTS).sha256, parts: Math.ceil(specOf(WEIGHTS).bytes / 65536), reader: 'opfs-sync' },
  ]);
  expect(second.inParts).toBe(false);
});

test('lists, opens, re-verifies and deletes cached bundles', async ({ page }) => {
  expect(await harness(page, (h) => h.listCached('page'))).toEqual([]);
  const loaded = await load(page);
  const listed = await harness(page, (h) => h.listCached('worker'));
  expect(listed).toHaveLength(1);
  expect(listed[0]).toMatchObject({
    key: loaded.cacheKey,
    sources: [bundleUrl()],
    bytesStored: q4Bytes,
    completeVariants: ['q4'],
  });
  expect(listed[0]!.bytesTotal).toBe(manifest.files.reduce((sum, file) => sum + file.bytes, 0));
  expect(listed[0]!.manifest.model.name).toBe(manifest.model.name);

  server.reset();
  const key = loaded.cacheKey!;
  const fromCache = await load(page, { source: { kind: 'cache', key }, verifyCached: true, read: 'all' });
  expectVerifiedReads(fromCache, q4Files);
  expect(fromCache.events.every((event) => event.fromCache)).toBe(true);
  expect(server.requests).toEqual([]);

  // The fp32 variant was never downloaded: the cache says so, naming a file.
  const fp32 = await load(page, { source: { kind: 'cache', key }, variant: 'fp32' });
  expect(fp32.error?.code).toBe('BUNDLE_FILE_MISSING');
  const firstMissing = variantFiles(manifest, 'fp32').find((path) => !q4Files.includes(path));
  expect(fp32.error?.message).toBe(`${firstMissing} of ${manifest.model.name} is not in the cache: its download did not finish.`);
  expect(fp32.error?.hint).toContain(`Load it from ${bundleUrl()} again`);

  // A cached file damaged on disk: trusted by its size on a plain load, caught by verifyCached, then fetched again.
  await page.evaluate(([k, p]) => (window as unknown as { bundleHarness: BundleHarness }).bundleHarness.damageCachedFile(k, p), [key, WEIGHTS] as const);
  const trusted = await load(page, { source: { kind: 'cache', key }, read: [WEIGHTS] });
  expect(trusted.reads?.[0]?.sha256).not.toBe(specOf(WEIGHTS).sha256);
  const checked = await load(page, { source: { kind: 'cache', key }, verifyCached: true, read: [WEIGHTS] });
  expect(checked.readError?.code).toBe('BUNDLE_HASH_MISMATCH');
  expect(checked.readError?.message).toMatch(new RegExp(`^${WEIGHTS.replaceAll('.', '\\.')} in the cache: its sha256 is [0-9a-f]{64}, but the manifest says ${specOf(WEIGHTS).sha256}\\.$`));
  const removed = await load(page, { source: { kind: 'cache', key } });
  expect(removed.error?.code).toBe('BUNDLE_FILE_MISSING');
  const healed = await load(page, { read: [WEIGHTS] });
  expectVerifiedReads(healed, [WEIGHTS]);
  expect(healed.bytesDownloaded).toBe(specOf(WEIGHTS).bytes);

  // Read in parts in the worker, a damaged file is caught the same way before its first part is handed out.
  await page.evaluate(([k, p]) => (window as unknown as { bundleHarness: BundleHarness }).bundleHarness.damageCachedFile(k, p), [key, WEIGHTS] as const);
  const inParts = await load(page, { where: 'worker', source: { kind: 'cache', key }, verifyCached: true, readInParts: [WEIGHTS] });
  expect(inParts.partReads).toEqual([]);
  expect(inParts.readError?.code).toBe('BUNDLE_HASH_MISMATCH');

  await harness(page, (h) => h.listCached('page').then((list) => h.deleteCached(list[0]!.key)));
  expect(await harness(page, (h) => h.listCached('page'))).toEqual([]);
  const gone = await load(page, { source: { kind: 'cache', key } });
  expect(gone.error).toMatchObject({ code: 'BUNDLE_NOT_FOUND', message: `No model is cached under ${key}.` });
});

test('opens the cached copy when the server cannot be reached', async ({ page }) => {
  await load(page);
  await page.route(`${server.bundleOrigin}/**`, (route) => route.abort('internetdisconnected'));
  const offline = await load(page, { read: [WEIGHTS] });
  expectVerifiedReads(offline, [WEIGHTS]);
  expect(offline.label).toBe(`${bundleUrl()} (offline copy)`);

  const strict = await load(page, { offlineFallback: false });
  expect(strict.error?.code).toBe('BUNDLE_DOWNLOAD_FAILED');
  expect(strict.error?.message).toMatch(new RegExp(`^Could not reach ${server.bundleOrigin}/tiny/manifest\\.json: `));
});

test('keeps a partial file across a reload and resumes it; starts over when the server ignores Range', async ({ page }) => {
  // The connection drops half way, then the server stays down.
  server.faults = [
    { path: WEIGHTS, kind: 'drop', afterBytes: 500_000, times: 1 },
    { path: WEIGHTS, kind: 'status', status: 503 },
  ];
  const failed = await load(page, { maxAttempts: 2, ...reportingStored() });
  expect(failed.error).toMatchObject({
    code: 'BUNDLE_DOWNLOAD_FAILED',
    message: `${WEIGHTS}: the download failed 2 times in a row (HTTP 503; ${bundleUrl()}${WEIGHTS}).`,
  });
  expect(server.requestsFor(WEIGHTS).map((request) => request.status)).toEqual([200, 503, 503]);
  expect(failed.error?.hint).toContain('resumes from there');

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  server.reset();
  const resumed = await load(page, { read: [WEIGHTS] });
  expectVerifiedReads(resumed, [WEIGHTS]);
  expect(server.requestsFor(WEIGHTS).map((request) => request.status)).toEqual([206]);
  expect(resumed.bytesDownloaded).toBeLessThan(q4Bytes);

  await harness(page, (h) => h.clearCache());
  server.reset();
  server.faults = [
    { path: WEIGHTS, kind: 'drop', afterBytes: 500_000, times: 1 },
    { path: WEIGHTS, kind: 'ignoreRange' },
  ];
  const restarted = await load(page, { read: [WEIGHTS], ...reportingStored() });
  expectVerifiedReads(restarted, [WEIGHTS]);
  const requests = server.requestsFor(WEIGHTS);
  expect(requests.map((request) => request.status)).toEqual([200, 200]);
  expect(requests[1]!.range).toBe('bytes=500000-');
});

test('resumes after a truncated body and after a stalled connection', async ({ page }) => {
  server.faults = [
    { path: WEIGHTS, kind: 'truncate', afterBytes: 300_000, times: 1 },
    { path: WEIGHTS, kind: 'stall', afterBytes: 200_000, times: 1 },
  ];
  const result = await load(page, { where: 'worker', stallTimeoutMs: 400, read: [WEIGHTS] });
  expectVerifiedReads(result, [WEIGHTS]);
  const requests = server.requestsFor(WEIGHTS);
  expect(requests.map((request) => request.range)).toEqual([null, 'bytes=300000-', expect.stringMatching(/^bytes=\d+-$/)]);
  expect(Number(/\d+/.exec(requests[2]!.range!)![0])).toBeGreaterThan(300_000);
});

test('says which file or manifest is missing, broken or too new', async ({ page }) => {
  server.faults = [{ path: WEIGHTS, kind: 'status', status: 404 }];
  const missing = await load(page);
  expect(missing.error).toMatchObject({
    code: 'BUNDLE_FILE_MISSING',
    message: `${WEIGHTS}: the server answered 404 Not Found for ${bundleUrl()}${WEIGHTS}.`,
  });

  const noBundle = await load(page, { source: { kind: 'url', url: `${server.bundleOrigin}/nothing-here` } });
  expect(noBundle.error).toMatchObject({
    code: 'BUNDLE_NOT_FOUND',
    message: `No bundle at ${server.bundleOrigin}/nothing-here/: ${server.bundleOrigin}/nothing-here/manifest.json answered 404 Not Found.`,
  });

  server.faults = [{ path: 'manifest.json', kind: 'body', body: '<!doctype html><title>Hugging Face</title>', times: 1 }];
  const html = await load(page);
  expect(html.error?.code).toBe('MANIFEST_INVALID');
  expect(html.error?.message).toMatch(new RegExp(`^${bundleUrl()}manifest\\.json is not JSON: `));

  server.faults = [{ path: 'manifest.json', kind: 'body', body: JSON.stringify({ ...manifest, schemaVersion: 2 }), times: 1 }];
  const newer = await load(page);
  expect(newer.error).toMatchObject({ code: 'MANIFEST_INVALID', message: `${bundleUrl()}manifest.json has schema version 2; this app reads version 1.` });

  const { files: _files, ...noFiles } = manifest;
  server.faults = [{ path: 'manifest.json', kind: 'body', body: JSON.stringify(noFiles), times: 1 }];
  const incomplete = await load(page);
  expect(incomplete.error?.message).toBe(`${bundleUrl()}manifest.json is not a valid bundle manifest: files: Invalid input: expected array, received undefined.`);
});

test('refuses a download that does not fit the storage quota, before fetching a weight file', async ({ page }) => {
  const MiB = 1024 * 1024;
  const result = await load(page, { where: 'worker', estimate: { quota: 100 * MiB, usage: 98 * MiB } });
  expect(result.error?.code).toBe('STORAGE_QUOTA_EXCEEDED');
  const needed = (q4Bytes / MiB).toFixed(2);
  expect(result.error?.message).toBe(`The model needs ${needed} MiB more storage; 2.00 MiB is free for this site.`);
  expect(server.requests.map((request) => request.path)).toEqual(['manifest.json']);
});

test('reads a local folder in place, from <input webkitdirectory> and from a directory handle', async ({ page }) => {
  await page.locator('#folder').setInputFiles(fixtures.bundleDir);
  for (const where of ['page', 'worker'] as const) {
    const picked = await load(page, { where, source: { kind: 'picked' }, read: 'all', readInParts: [WEIGHTS] });
    expectVerifiedReads(picked, q4Files);
    // In the worker, picked files are read in parts too, by the helper worker into its shared buffer (not by the
    // FileReaderSync fallback, which would hide a helper that never answers).
    expect(picked.partReads?.map(({ path, sha256, reader }) => ({ path, sha256, reader }))).toEqual(
      where === 'worker' ? [{ path: WEIGHTS, sha256: specOf(WEIGHTS).sha256, reader: 'shared' }] : [],
    );
    expect(picked.cacheKey).toBeNull();
    expect(picked.label).toBe('bundle');
    expect(picked.events.map((event) => event.file)).toEqual(q4Files);
  }
  expect(server.requests).toEqual([]);

  // Read in place: nothing was copied into the cache.
  expect(await harness(page, (h) => h.listCached('page'))).toEqual([]);
  await page.evaluate(
    ([url, paths]) => (window as unknown as { bundleHarness: BundleHarness }).bundleHarness.copyToOpfsFolder(url, paths, 'picked-folder'),
    [bundleUrl(), ['manifest.json', ...q4Files]] as const,
  );
  const handle = await load(page, { where: 'worker', source: { kind: 'directory', name: 'picked-folder' }, read: 'all', readInParts: [WEIGHTS] });
  expectVerifiedReads(handle, q4Files);
  // A folder in OPFS: read through a sync access handle.
  expect(handle.partReads?.map(({ path, sha256, reader }) => ({ path, sha256, reader }))).toEqual([{ path: WEIGHTS, sha256: specOf(WEIGHTS).sha256, reader: 'opfs-sync' }]);
  expect(handle.label).toBe('picked-folder');
});
