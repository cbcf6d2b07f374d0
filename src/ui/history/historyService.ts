import { AppError, serializeError } from '../../core/errors.ts';
import { historyToJson, historyToMarkdown } from '../../core/history/exportHistory.ts';
import { historySlotLabel, recordToSnapshot, samplingFrom, type HistoryImage, type HistoryRecord, type HistorySlot } from '../../core/history/record.ts';
import { imageFacts } from '../../core/image/imageFacts.ts';
import { IMAGE_SLOTS, slotsRead, type ImageSlotId } from '../../core/tasks.ts';
import { useLocalizeStore } from '../../state/useLocalizeStore.ts';
import { useViewerStore } from '../../state/useViewerStore.ts';
import { useMethodsStore } from '../../state/useMethodsStore.ts';
import { useRankStore } from '../../state/useRankStore.ts';
import { useErrorStore } from '../../state/useErrorStore.ts';
import { useHistoryStore } from '../../state/useHistoryStore.ts';
import { useImageStore, type SlotImage } from '../../state/useImageStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { useTaskStore } from '../../state/useTaskStore.ts';
import { appDb, type AppDb, type StoredImage } from '../../storage/appDb.ts';
import { downloadText, fileStamp } from './download.ts';
import { createRunRecorder } from './runRecorder.ts';
import { makeThumbnail } from '../images/thumbnail.ts';

const LOCK_PREFIX = 'depictqa-history-run-';

/** The database, opened once, after runs left running by a closed page were marked interrupted. */
let ready: Promise<AppDb> | null = null;
/** Releases of the Web Locks that tell other tabs a run of this page is still answering. */
const liveLocks = new Map<string, () => void>();
/** The run whose failed save was last reported. */
let reportedRunId: string | null = null;

function openHistory(): Promise<AppDb> {
  ready ??= (async () => {
    const db = await appDb();
    const held = typeof navigator.locks === 'undefined' ? [] : ((await navigator.locks.query()).held ?? []);
    const live = new Set(held.map((lock) => lock.name));
    await db.interruptRunning(Date.now(), (id) => live.has(LOCK_PREFIX + id));
    const runs = await db.listRuns();
    const shown = new Set(runs.flatMap((run) => listImage(run)?.sha256 ?? []));
    const thumbnails: Record<string, string> = {};
    for (const [sha256, blob] of await db.getThumbnails([...shown])) thumbnails[sha256] = URL.createObjectURL(blob);
    useHistoryStore.getState().setLoaded(runs, thumbnails);
    return db;
  })();
  return ready;
}

/** The image a list entry shows: image A, which every task reads; a ranking's best candidate. */
export function listImage(run: HistoryRecord): HistoryImage | undefined {
  const best = run.rank?.ranking[0];
  if (best !== undefined) return run.images.filter((image) => image.slot === 'candidate')[best.index];
  return run.images.find((image) => image.slot === 'a') ?? run.images[0];
}

/**
 * What the run that just started was asked with: the run store's own request (a regenerate reuses the images of
 * the last run, whatever the slots hold now); the slots and the task picker if it has none.
 */
function captureStart() {
  const run = useRunStore.getState();
  const task = run.lastRun?.task ?? useTaskStore.getState().task;
  const slots = run.lastRun?.images ?? useImageStore.getState().images;
  const filled = IMAGE_SLOTS.filter((slot) => slots[slot] != null);
  const used = slotsRead(task, filled).map((slot) => ({ slot, image: slots[slot]! }));
  const model = useModelStore.getState().model;
  return {
    start: {
      task,
      images: used.map(({ slot, image }) => ({ slot, sha256: image.id, ...imageFacts(image) })),
      settings: { maxNewTokens: run.maxNewTokens, sampling: samplingFrom(run.sampling), loopGuard: run.lastRun?.settings.loopGuard ?? false },
      model: model === null ? null : { name: model.name, variant: model.variant, backend: model.backend },
    },
    blobs: new Map(used.map(({ image }) => [image.id, image.blob])),
  };
}

const recorder = createRunRecorder({
  capture: captureStart,
  persist: async (record, blobs) => {
    const db = await openHistory();
    if (blobs !== null) holdLiveLock(record.id);
    const images: StoredImage[] = [];
    for (const [sha256, blob] of blobs ?? []) {
      if (!(await db.hasImage(sha256))) images.push({ sha256, blob, thumbnail: await makeThumbnail(sha256, blob) });
    }
    await db.saveRun(record, images);
    const store = useHistoryStore.getState();
    store.upsert(record);
    for (const image of images) if (image.thumbnail !== null) store.addThumbnail(image.sha256, URL.createObjectURL(image.thumbnail));
    if (record.status !== 'running') releaseLiveLock(record.id);
  },
  // The page already said why the database is unavailable when it opened; a failing run is reported once, not
  // at each of its saves.
  onError: (error, record) => {
    if (useHistoryStore.getState().status === 'unavailable' || reportedRunId === record.id) return;
    reportedRunId = record.id;
    useErrorStore.getState().report(error);
  },
});

function holdLiveLock(id: string): void {
  if (typeof navigator.locks === 'undefined') return;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  liveLocks.set(id, release);
  navigator.locks.request(LOCK_PREFIX + id, () => released).catch((error: unknown) => useErrorStore.getState().report(error));
}

function releaseLiveLock(id: string): void {
  liveLocks.get(id)?.();
  liveLocks.delete(id);
}

/**
 * Loads the saved runs and starts saving new ones. Returns the function that stops saving (React effects run
 * twice in development: the database is opened once, the subscription follows the effect).
 */
export function startHistory(): () => void {
  openHistory().catch((error: unknown) => {
    // Development runs effects twice: the refusal is shown once.
    if (useHistoryStore.getState().status === 'unavailable') return;
    useHistoryStore.getState().setUnavailable();
    useErrorStore.getState().report(error);
  });
  const unsubscribe = useRunStore.subscribe((run, previous) => {
    if (run.status === 'encoding' && previous.status !== 'encoding') useHistoryStore.getState().setOpened(null);
    recorder.observe(run, previous);
  });
  // Saving on the way out narrows what a closed tab loses to the last tokens; a crash still loses up to a second.
  const onPageHide = () => recorder.flush();
  window.addEventListener('pagehide', onPageHide);
  return () => {
    unsubscribe();
    window.removeEventListener('pagehide', onPageHide);
  };
}

/** Puts a saved run back: its images into their slots, its task, and its answer into the answer panel. */
export async function openRun(id: string): Promise<void> {
  const status = useRunStore.getState().status;
  if (status === 'encoding' || status === 'running') return;
  const db = await openHistory();
  const record = await db.getRun(id);
  if (record === undefined) throw new AppError('REQUEST_INVALID', 'This run is no longer in the history.', { hint: 'It was deleted in another tab.' });
  // 1. Every image first, so that a missing one changes nothing on the page.
  const blobs: Blob[] = [];
  for (const image of record.images) {
    const stored = await db.getImage(image.sha256);
    if (stored === undefined) {
      throw new AppError('IMAGE_MISSING', `The saved run lacks ${historySlotLabel(image.slot)} (${image.name}) in the history database.`, {
        hint: 'Site data may have been partly cleared. Add the image again to rerun the task.',
      });
    }
    blobs.push(stored.blob);
  }
  if (record.task === 'rank') {
    openRanking(record, blobs);
    return;
  }
  if (record.task === 'methods') {
    openMethods(record);
    return;
  }
  const restored = new Map<HistorySlot, { image: HistoryImage; blob: Blob }>(record.images.map((image, k) => [image.slot, { image, blob: blobs[k]! }]));
  if (record.task === 'localize') {
    openMap(record, restored);
    return;
  }
  // 2. The slots the task reads hold exactly the run's images (a leftover reference would change the question).
  const task = record.task;
  fillSlots(slotsRead(task), restored);
  // 3. The task and the answer.
  useTaskStore.getState().setTask(task);
  useRunStore.getState().restore(recordToSnapshot(record));
  useHistoryStore.getState().setOpened(id);
}

/** Puts exactly the saved images into `slots`: a slot the run did not use is emptied. */
function fillSlots(slots: readonly ImageSlotId[], restored: ReadonlyMap<HistorySlot, { image: HistoryImage; blob: Blob }>): void {
  const images = useImageStore.getState();
  for (const slot of slots) {
    const saved = restored.get(slot);
    const shown = images.images[slot];
    if (saved === undefined) {
      if (shown !== null) images.clear(slot);
    } else if (shown?.id !== saved.image.sha256 || shown.name !== saved.image.name) {
      images.setImage(slot, toSlotImage(saved.image, saved.blob));
    }
  }
}

/** A saved quality map back over its images in the viewer (nothing is asked again). */
function openMap(record: HistoryRecord, restored: ReadonlyMap<HistorySlot, { image: HistoryImage; blob: Blob }>): void {
  const map = record.localize ?? null;
  if (map === null) throw new AppError('REQUEST_INVALID', 'This saved quality map has no tiles.', { hint: 'Make the map again.' });
  fillSlots(IMAGE_SLOTS, restored);
  const id = (slot: HistorySlot) => restored.get(slot)?.image.sha256 ?? null;
  useLocalizeStore.getState().showSaved({ reference: id('reference'), a: id('a')!, b: id('b') }, map, record.id);
  useTaskStore.getState().setMode('task');
  useViewerStore.getState().setOverlay('where');
  useHistoryStore.getState().setOpened(record.id);
}

/** A saved ranking back in the Rank mode: its reference, candidates and result (nothing is ranked again). */
function openRanking(record: HistoryRecord, blobs: readonly Blob[]): void {
  const result = record.rank ?? null;
  if (result === null) throw new AppError('REQUEST_INVALID', 'This saved ranking has no result.', { hint: 'Rank the images again.' });
  const images = record.images.map((image, k) => ({ slot: image.slot, image: toSlotImage(image, blobs[k]!) }));
  const reference = images.find((entry) => entry.slot === 'reference')?.image ?? null;
  const candidates = images.filter((entry) => entry.slot === 'candidate').map((entry) => entry.image);
  useRankStore.getState().showSaved({ reference, candidates, result });
  useTaskStore.getState().setMode('rank');
  useHistoryStore.getState().setOpened(record.id);
}

/** A saved method comparison back in the Methods mode: its result and exports (its images were not kept). */
function openMethods(record: HistoryRecord): void {
  const saved = record.methods ?? null;
  if (saved === null) throw new AppError('REQUEST_INVALID', 'This saved method comparison has no result.', { hint: 'Compare the methods again.' });
  const { report, metrics, referenceFolder } = saved;
  const methods = report.methods.map((m) => m.name);
  useMethodsStore.getState().showSaved({ methods, referenceFolder, ids: [], missing: report.missing, skipped: report.skipped, metrics }, report, record.status === 'stopped');
  useTaskStore.getState().setMode('methods');
  useHistoryStore.getState().setOpened(record.id);
}

/**
 * Saves a record made outside the run store (a ranking, a quality map) with its images, and lists it. A record saved
 * while its work runs (status 'running') holds this tab's live lock until it is saved otherwise, so that another tab
 * opening meanwhile does not take it for one a closed page left.
 */
export async function saveRecord(record: HistoryRecord, blobs: ReadonlyMap<string, Blob>): Promise<void> {
  const db = await openHistory();
  if (record.status === 'running' && !liveLocks.has(record.id)) holdLiveLock(record.id);
  const images: StoredImage[] = [];
  for (const [sha256, blob] of blobs) {
    if (!(await db.hasImage(sha256))) images.push({ sha256, blob, thumbnail: await makeThumbnail(sha256, blob) });
  }
  await db.saveRun(record, images);
  const store = useHistoryStore.getState();
  store.upsert(record);
  for (const image of images) if (image.thumbnail !== null) store.addThumbnail(image.sha256, URL.createObjectURL(image.thumbnail));
  if (record.status !== 'running') releaseLiveLock(record.id);
}

function toSlotImage(image: HistoryImage, blob: Blob): SlotImage {
  return { id: image.sha256, ...imageFacts(image), blob, previewUrl: URL.createObjectURL(blob) };
}

export async function deleteRun(id: string): Promise<void> {
  await (await openHistory()).deleteRun(id);
  useHistoryStore.getState().remove(id);
}

export async function deleteAllRuns(): Promise<void> {
  await (await openHistory()).clearRuns();
  useHistoryStore.getState().clear();
}

export type ExportFormat = 'markdown' | 'json';

/** Downloads one run as Markdown or JSON, named after its task and time. */
export function exportRun(run: HistoryRecord, format: ExportFormat): void {
  download([run], format, `depictqa-${run.task}-${fileStamp(run.startedAt)}`);
}

/** Downloads the whole history (newest first), named after the time of export. */
export function exportAllRuns(runs: readonly HistoryRecord[], format: ExportFormat): void {
  download(runs, format, `depictqa-history-${fileStamp(Date.now())}`);
}

function download(runs: readonly HistoryRecord[], format: ExportFormat, base: string): void {
  const now = new Date();
  if (format === 'json') downloadText(`${base}.json`, historyToJson(runs, now), 'application/json');
  else downloadText(`${base}.md`, historyToMarkdown(runs, now), 'text/markdown');
}

/** Runs an action of the panel; its failure is shown in the page's error banner, never lost. */
export function reportFailure(action: Promise<unknown>): void {
  action.catch((error: unknown) => useErrorStore.getState().report(serializeError(error)));
}
