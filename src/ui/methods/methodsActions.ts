/**
 * The Methods mode's work: a folder of folders read and matched (one folder of references, one per method),
 * every output checked against its reference and measured, then each id's outputs compared pairwise as Rank
 * compares candidates (both orders, active pairs or all, the KV cache reused), saved as it goes so that a reload
 * resumes, and summed up into one score per method.
 */
import { imageFile, withMetrics } from '../../client/metricsClient.ts';
import { pageEngine } from '../../client/engine.ts';
import type { PriorComparison, RankEvent } from '../../core/engine/rank.ts';
import { AppError, serializeError } from '../../core/errors.ts';
import { methodsHistoryRecord } from '../../core/history/methodsRecord.ts';
import { imageFacts } from '../../core/image/imageFacts.ts';
import { guessReferenceFolder, matchFolders, type FolderListing } from '../../core/methods/matchFolders.ts';
import type { MethodImage } from '../../core/methods/methodStats.ts';
import { buildMethodsReport, type MethodsReport, type OutputMetrics, type ReportRuns } from '../../core/methods/methodsReport.ts';
import { methodsSessionKey, type MethodsSession, type SavedMethodsId } from '../../core/methods/methodsSession.ts';
import type { RankingMode } from '../../core/ranking/index.ts';
import { modelKey, toPrior, toSaved, type SavedImage } from '../../core/ranking/session.ts';
import { useErrorStore } from '../../state/useErrorStore.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { useMethodsStore, type MethodsId, type MethodsMatch } from '../../state/useMethodsStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { saveRecord } from '../history/historyService.ts';
import { loadImageFile } from '../images/loadImageFile.ts';
import { appDb } from '../../storage/appDb.ts';
import { explainPair } from '../rank/rankActions.ts';
import { holdingRunLock } from '../runLock.ts';
import type { PathFile } from './folderFiles.ts';

const IMAGE_NAME = /\.(png|jpe?g|webp|gif|bmp|avif)$/i;


/** The folders picked one by one so far (each `name/file`), which a new pick adds to. */
let picked: PathFile[] = [];

/** Adds one folder (a method's, or the references' named ref, gt, HR …) to those picked, and matches them all. */
export async function addMethodFolder(files: readonly PathFile[]): Promise<void> {
  const folders = new Set(files.map((f) => f.path.split('/')[0]));
  picked = [...picked.filter((f) => !folders.has(f.path.split('/')[0])), ...files];
  await readFolders(picked);
}

/**
 * Reads a folder of folders: the subfolder named ref, gt, HR (…) holds the references, every other one a method.
 * Matches the outputs by file stem, checks each against its reference's size and measures it.
 */
export async function readMethodFolders(files: readonly PathFile[]): Promise<void> {
  picked = [];
  await readFolders(files);
}

/** Forgets the folders and the result. */
export function clearMethods(): void {
  picked = [];
  useMethodsStore.getState().clear();
}

async function readFolders(files: readonly PathFile[]): Promise<void> {
  const store = useMethodsStore.getState();
  if (store.status === 'running') return;
  store.setReading();
  try {
    const match = await matchFiles(files);
    useMethodsStore.getState().setMatch(match.match, match.notices);
  } catch (error) {
    useMethodsStore.getState().fail(serializeError(error));
  }
}

async function matchFiles(files: readonly PathFile[]): Promise<{ match: MethodsMatch; notices: string[] }> {
  // One folder dropped whose subfolders are the methods: its name is dropped from the paths.
  let parts = files.map(({ path, file }) => ({ segments: path.split('/').filter((s) => s !== ''), file }));
  const tops = new Set(parts.map((p) => p.segments[0]));
  if (tops.size === 1 && parts.every((p) => p.segments.length >= 3)) parts = parts.map((p) => ({ ...p, segments: p.segments.slice(1) }));
  const folders = new Map<string, Array<{ name: string; file: File }>>();
  const notices: string[] = [];
  let loose = 0;
  for (const { segments, file } of parts) {
    if (segments.length !== 2) {
      loose++;
      continue;
    }
    const [folder, name] = segments as [string, string];
    if (name.startsWith('.')) continue;
    const list = folders.get(folder) ?? [];
    list.push({ name, file });
    folders.set(folder, list);
  }
  if (loose > 0) notices.push(`${loose} ${loose === 1 ? 'file is' : 'files are'} not directly inside a method's folder and ${loose === 1 ? 'was' : 'were'} left out.`);
  const names = [...folders.keys()].sort();
  const referenceFolder = guessReferenceFolder(names);
  const listing = (name: string): FolderListing<File> => ({ name, files: folders.get(name)! });
  const matched = matchFolders(
    names.filter((name) => name !== referenceFolder).map(listing),
    referenceFolder === null ? null : listing(referenceFolder),
    'Drop one folder that holds a folder per method (and one named ref, gt or HR for the references), or pick the folders.',
  );
  const skipped = [...matched.skipped];
  const loaded = new Map<File, SlotImage | string>();
  const load = async (file: File, name: string): Promise<SlotImage | string> => {
    const known = loaded.get(file);
    if (known !== undefined) return known;
    let result: SlotImage | string;
    if (!IMAGE_NAME.test(name)) result = `${name} is not a PNG, JPEG, WebP, GIF, BMP or AVIF image`;
    else {
      try {
        result = await loadImageFile(file, name);
      } catch (error) {
        result = `${name} does not decode: ${serializeError(error).message}`;
      }
    }
    loaded.set(file, result);
    return result;
  };
  const ids: MethodsId[] = [];
  const metrics: OutputMetrics = {};
  for (const id of matched.ids) {
    const ofId = matched.outputs.filter((o) => o.id === id);
    if (ofId.length === 0) continue;
    const referenceFile = ofId[0]!.reference;
    let reference: SlotImage | null = null;
    if (referenceFile !== null) {
      const read = await load(referenceFile, `${referenceFolder}/${referenceFile.name}`);
      if (typeof read === 'string') {
        for (const o of ofId) skipped.push({ method: o.method, id, reason: `its reference ${read}` });
        continue;
      }
      reference = read;
    }
    const outputs: MethodsId['outputs'] = [];
    for (const o of ofId) {
      const read = await load(o.file, `${o.method}/${o.file.name}`);
      if (typeof read === 'string') skipped.push({ method: o.method, id, reason: read });
      else if (reference !== null && (read.width !== reference.width || read.height !== reference.height)) {
        skipped.push({ method: o.method, id, reason: `${o.method}/${o.file.name} is ${read.width}×${read.height}, its reference ${reference.width}×${reference.height}` });
      } else {
        outputs.push({ method: o.method, image: read });
        if (reference !== null) {
          const m = await withMetrics((worker) => worker.compareFiles(imageFile(reference), imageFile(read), { ssimMap: false }));
          (metrics[id] ??= {})[o.method] = { psnr: m.psnrRgb ?? m.psnrLuma, ssim: m.ssim, msssim: m.msSsim, gmsd: m.gmsd };
        }
      }
    }
    ids.push({ id, reference, outputs });
  }
  return { match: { methods: matched.methods, referenceFolder, ids, missing: matched.missing, skipped, metrics }, notices };
}

/** Ordered comparisons one id plans at most: both orders of its pair budget. */
function plannedOf(k: number, mode: RankingMode): number {
  const all = (k * (k - 1)) / 2;
  return 2 * (mode === 'allPairs' ? all : Math.min(all, Math.ceil(k * Math.log2(k))));
}

const savedImage = (image: SlotImage): SavedImage => ({ sha256: image.id, ...imageFacts(image) });
let stopRequested = false;

/** Compares every id's outputs (the saved comparisons of the same run are not asked again), then the result. */
export async function startMethods(): Promise<void> {
  const { status, match, mode } = useMethodsStore.getState();
  if (status === 'running' || match === null) return;
  try {
    const model = useModelStore.getState().model;
    if (model === null) throw new AppError('ENGINE_NOT_LOADED', 'No model is loaded.', { hint: 'Load a model bundle first, then compare the methods.' });
    const ids: SavedMethodsId[] = match.ids.map((entry) => ({
      id: entry.id,
      reference: entry.reference === null ? null : savedImage(entry.reference),
      outputs: entry.outputs.map((o) => ({ method: o.method, image: savedImage(o.image) })),
      comparisons: [],
      done: false,
    }));
    const key = methodsSessionKey(modelKey(model), mode, ids);
    // One tab writes a saved comparison: another resuming it is refused while this one runs.
    await holdingRunLock(`depictqa-methods:${key}`, () => runHolding(key, modelKey(model), ids, match, mode, { device: model.backend, variant: model.variant }));
  } catch (error) {
    useMethodsStore.getState().fail(serializeError(error));
  }
}

async function runHolding(key: string, model: string, ids: SavedMethodsId[], match: MethodsMatch, mode: RankingMode, where: { device: string; variant: string }): Promise<void> {
  const startedAt = Date.now();
  const store = appDb().catch((error: unknown) => {
    useErrorStore.getState().report(error); // the comparison still runs; it only will not survive a reload
    return null;
  });
  const db = await store;
  const earlier = await db?.getMethods(key);
  for (const entry of ids) {
    const saved = earlier?.ids.find((e) => e.id === entry.id);
    if (saved !== undefined) Object.assign(entry, { comparisons: saved.comparisons, done: saved.done });
  }
  const session: MethodsSession = { key, model, mode, methods: match.methods, referenceFolder: match.referenceFolder, ids, missing: match.missing, skipped: match.skipped, metrics: match.metrics, finished: false, updatedAt: Date.now() };
  const blobs = new Map(match.ids.flatMap((e) => [...(e.reference === null ? [] : [e.reference]), ...e.outputs.map((o) => o.image)]).map((image) => [image.id, image.blob]));
  let writes = db?.saveMethods(session, blobs) ?? Promise.resolve();
  // Comparisons arriving while a write waits join it: the session is copied when its write starts, so a long run
  // writes as often as the database keeps up, not once per comparison with the whole session each time.
  let queued = false;
  const persist = () => {
    session.updatedAt = Date.now();
    if (queued) return;
    queued = true;
    writes = writes
      .then(() => {
        queued = false;
        return db?.saveMethods(structuredClone(session));
      })
      .catch((error: unknown) => useErrorStore.getState().report(error));
  };

  const priors: Record<string, PriorComparison[]> = {};
  let planned = 0;
  let prior = 0;
  for (const [k, entry] of match.ids.entries()) {
    const hashes = entry.outputs.map((o) => o.image.id);
    priors[entry.id] = toPrior(ids[k]!.comparisons, hashes);
    if (entry.outputs.length >= 2) planned += ids[k]!.done ? priors[entry.id]!.length : Math.max(plannedOf(entry.outputs.length, mode), priors[entry.id]!.length);
    prior += priors[entry.id]!.length;
  }
  useMethodsStore.getState().start(priors, planned, prior);
  useMethodsStore.getState().setResumable(null);
  stopRequested = false;
  const runs = { modelRuns: 0, visionRuns: 0, prefillTokens: 0, elapsedMs: 0 };
  let stopped = false;
  for (const [k, entry] of match.ids.entries()) {
    const saved = ids[k]!;
    if (entry.outputs.length < 2 || saved.done) continue;
    if (stopRequested) {
      stopped = true;
      break;
    }
    useMethodsStore.getState().setProgress({ current: entry.id });
    const hashes = entry.outputs.map((o) => o.image.id);
    const onEvent = (event: RankEvent) => {
      if (event.type !== 'comparison') return;
      const state = useMethodsStore.getState();
      if (state.progress?.comparingSince === null) state.setProgress({ comparingSince: performance.now() - event.work.elapsedMs });
      const comparison: PriorComparison = { first: event.first, second: event.second, pA: event.pA, pB: event.pB };
      state.addComparison(entry.id, comparison);
      saved.comparisons.push(...toSaved([comparison], hashes));
      persist();
    };
    const result = await pageEngine.rank(
      { reference: entry.reference, candidates: entry.outputs.map((o) => o.image), mode, prior: priors[entry.id]! },
      onEvent,
    );
    runs.modelRuns += result.stats.modelRuns + result.stats.visionRuns;
    runs.visionRuns += result.stats.visionRuns;
    runs.prefillTokens += result.stats.prefillTokens;
    runs.elapsedMs += result.stats.comparisonMs;
    if (result.cancelled) {
      stopped = true;
      break;
    }
    saved.done = true;
    persist();
  }
  session.finished = !stopped;
  persist();
  const report = methodsReport(match, useMethodsStore.getState().comparisons, mode, runs, where);
  useMethodsStore.getState().finish(report, stopped);
  await writes;
  const loaded = useModelStore.getState().model;
  const record = methodsHistoryRecord(
    { id: crypto.randomUUID(), model: loaded === null ? null : { name: loaded.name, variant: loaded.variant, backend: loaded.backend }, startedAt },
    report,
    match.metrics,
    match.referenceFolder,
    stopped,
    Date.now(),
  );
  await saveRecord(record, new Map()).catch((error: unknown) => useErrorStore.getState().report(error));
}

/** The method-level result of the comparisons made so far. */
export function methodsReport(
  match: MethodsMatch,
  comparisons: Readonly<Record<string, readonly PriorComparison[]>>,
  mode: RankingMode,
  runs: ReportRuns,
  where: { device: string; variant: string },
): MethodsReport {
  const images: MethodImage[] = match.ids
    .filter((entry) => entry.outputs.length > 0)
    .map((entry) => ({
      id: entry.id,
      methods: entry.outputs.map((o) => o.method),
      records: (comparisons[entry.id] ?? []).map((c) => ({ first: c.first, second: c.second, pFirst: c.pA, pSecond: c.pB })),
      ...(match.metrics[entry.id] === undefined ? {} : { metrics: match.metrics[entry.id]! }),
    }));
  return buildMethodsReport(match.methods, images, { missing: match.missing, skipped: match.skipped, runs, pairs: mode, shards: 1, ...where });
}

/** Stops between two comparisons; the result of those made so far is shown. */
export function stopMethods(): void {
  stopRequested = true;
  pageEngine.cancel().catch((error: unknown) => useErrorStore.getState().report(error));
}

/** Looks for an unfinished method comparison saved by an earlier page, for the resume card. */
export async function findResumableMethods(): Promise<void> {
  try {
    const run = await (await appDb()).latestUnfinishedMethods();
    if (run === undefined || useMethodsStore.getState().status === 'running') return;
    const comparisons = run.ids.reduce((n, e) => n + e.comparisons.length, 0);
    useMethodsStore.getState().setResumable({ key: run.key, methods: run.methods.length, ids: run.ids.length, comparisons, updatedAt: run.updatedAt });
  } catch {
    // The database's refusal is reported when a comparison starts; without it there is nothing to resume.
  }
}

/** Puts a saved comparison's images back from the database and resumes it. */
export async function resumeMethods(key: string): Promise<void> {
  try {
    const db = await appDb();
    const run = await db.getMethods(key);
    if (run === undefined) throw new AppError('REQUEST_INVALID', 'This method comparison is no longer saved.', { hint: 'It was finished or discarded in another tab.' });
    const restore = async (image: SavedImage): Promise<SlotImage> => {
      const blob = (await db.getImage(image.sha256))?.blob;
      if (blob === undefined) {
        throw new AppError('IMAGE_MISSING', `The saved comparison lacks ${image.name} in the database.`, { hint: 'Site data may have been partly cleared: drop the folders again.' });
      }
      return { id: image.sha256, ...imageFacts(image), blob, previewUrl: URL.createObjectURL(blob) };
    };
    const ids: MethodsId[] = [];
    for (const entry of run.ids) {
      const outputs: MethodsId['outputs'] = [];
      for (const o of entry.outputs) outputs.push({ method: o.method, image: await restore(o.image) });
      ids.push({ id: entry.id, reference: entry.reference === null ? null : await restore(entry.reference), outputs });
    }
    const store = useMethodsStore.getState();
    store.setMatch({ methods: run.methods, referenceFolder: run.referenceFolder, ids, missing: run.missing, skipped: run.skipped, metrics: run.metrics }, []);
    store.setMode(run.mode);
    await startMethods();
  } catch (error) {
    useErrorStore.getState().report(error);
  }
}

export async function discardMethods(key: string): Promise<void> {
  useMethodsStore.getState().setResumable(null);
  await (await appDb()).deleteMethods(key).catch((error: unknown) => useErrorStore.getState().report(error));
}

/** DepictQA's Reasoning about two methods' outputs of one id, the better as Image A; it streams into the answer panel. */
export function explainOutputs(id: string, better: string, worse: string): Promise<void> {
  const entry = useMethodsStore.getState().match?.ids.find((e) => e.id === id);
  const image = (method: string) => entry?.outputs.find((o) => o.method === method)?.image;
  const [a, b] = [image(better), image(worse)];
  if (entry === undefined || a === undefined || b === undefined) return Promise.resolve();
  return explainPair(a, b, entry.reference);
}
