import { holdingRunLock } from '../runLock.ts';
import { pageEngine } from '../../client/engine.ts';
import type { PriorComparison, RankEvent } from '../../core/engine/rank.ts';
import { AppError, serializeError } from '../../core/errors.ts';
import { DEFAULT_MAX_NEW_TOKENS } from '../../core/generation/settings.ts';
import { imageFacts } from '../../core/image/imageFacts.ts';
import { acceptCandidates } from '../../core/ranking/candidates.ts';
import { MAX_IMAGES, MIN_IMAGES } from '../../core/ranking/index.ts';
import { modelKey, rankSessionKey, toPrior, toSaved, type RankSession, type SavedImage } from '../../core/ranking/session.ts';
import { useErrorStore } from '../../state/useErrorStore.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRankStore, type RankState } from '../../state/useRankStore.ts';
import { loadImageFile } from '../images/loadImageFile.ts';
import { appDb } from '../../storage/appDb.ts';
import { saveRankingToHistory } from './rankHistory.ts';

const IMAGE_NAME = /\.(png|jpe?g|webp|gif|bmp|avif)$/i;

/**
 * Reads files given as candidates (dropped, a folder, or chosen): only image files, in name order (a folder's
 * listing order is the file system's); duplicates and files past the 64th are refused with a notice.
 */
export async function addCandidateFiles(files: readonly File[]): Promise<void> {
  const named = files.map((file) => ({ file, name: file.webkitRelativePath === '' ? file.name : file.webkitRelativePath.split('/').pop()! }));
  const images = named.filter(({ name }) => IMAGE_NAME.test(name)).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const notices: string[] = [];
  const skipped = named.length - images.length;
  if (skipped > 0) notices.push(`${skipped} ${skipped === 1 ? 'file is' : 'files are'} not a PNG, JPEG, WebP, GIF, BMP or AVIF image and ${skipped === 1 ? 'was' : 'were'} skipped.`);
  // Files far past the limit are not read at all: a folder of thousands should not be hashed for nothing.
  const toRead = images.slice(0, 2 * MAX_IMAGES);
  const read: SlotImage[] = [];
  for (const { file, name } of toRead) {
    try {
      read.push(await loadImageFile(file, name));
    } catch (error) {
      notices.push(`${name}: ${serializeError(error).message}`);
    }
  }
  const { accepted, notices: refused } = acceptCandidates(useRankStore.getState().candidates, read);
  for (const image of read) if (!accepted.includes(image)) URL.revokeObjectURL(image.previewUrl);
  const unread = images.length - toRead.length;
  if (unread > 0) refused.push(`${unread} more ${unread === 1 ? 'file was' : 'files were'} not read: a ranking takes at most ${MAX_IMAGES} candidates.`);
  useRankStore.getState().addCandidates(accepted, [...notices, ...refused]);
}

export async function setReferenceFile(file: File): Promise<void> {
  try {
    const image = await loadImageFile(file, file.name);
    const previous = useRankStore.getState().reference;
    if (previous !== null) URL.revokeObjectURL(previous.previewUrl);
    useRankStore.getState().setReference(image);
  } catch (error) {
    useRankStore.getState().setNotices([`${file.name}: ${serializeError(error).message}`]);
  }
}

export function clearReference(): void {
  const previous = useRankStore.getState().reference;
  if (previous !== null) URL.revokeObjectURL(previous.previewUrl);
  useRankStore.getState().setReference(null);
}

export function removeCandidate(id: string): void {
  const image = useRankStore.getState().candidates.find((candidate) => candidate.id === id);
  useRankStore.getState().removeCandidate(id);
  if (image !== undefined && useRankStore.getState().ranked?.candidates.every((ranked) => ranked.id !== id) !== false) URL.revokeObjectURL(image.previewUrl);
}

/** The model the page has loaded, as a session key part; refuses when none is. */
function loadedModelKey(): string {
  const model = useModelStore.getState().model;
  if (model === null) throw new AppError('ENGINE_NOT_LOADED', 'No model is loaded.', { hint: 'Load a model bundle first, then rank.' });
  return modelKey(model);
}

const saved = (image: SlotImage): SavedImage => ({ sha256: image.id, ...imageFacts(image) });

/**
 * Ranks the candidates against the reference: comparisons saved for the same model, mode, reference and set are
 * given to the engine, which asks only the pairs they lack; each new comparison is saved as it arrives.
 */
export async function startRanking(): Promise<void> {
  const store = useRankStore.getState();
  if (store.status === 'running') return;
  const { reference, candidates, mode } = store;
  const startedAt = Date.now();
  try {
    if (candidates.length < MIN_IMAGES || candidates.length > MAX_IMAGES) {
      throw new AppError('REQUEST_INVALID', `A ranking needs ${MIN_IMAGES} to ${MAX_IMAGES} candidates; there ${candidates.length === 1 ? 'is' : 'are'} ${candidates.length}.`, {
        hint: candidates.length < MIN_IMAGES ? 'Add more images of the reference.' : `Remove some: at most ${MAX_IMAGES}.`,
      });
    }
    const model = loadedModelKey();
    const ids = candidates.map((image) => image.id);
    const key = rankSessionKey(model, mode, reference?.id ?? null, ids);
    // One tab writes a saved ranking: another resuming it is refused while this one runs.
    await holdingRunLock(rankLockName(key), () => rankHolding({ key, model, ids, startedAt, reference, candidates, mode }));
  } catch (error) {
    useRankStore.getState().fail(serializeError(error));
  }
}

/** The Web Lock of one saved ranking (by its session key). */
export function rankLockName(key: string): string {
  return `depictqa-rank:${key}`;
}

/** The ranking itself, run while this tab holds its lock. */
async function rankHolding(run: { key: string; model: string; ids: string[]; startedAt: number } & Pick<RankState, 'reference' | 'candidates' | 'mode'>): Promise<void> {
  const { key, model, ids, startedAt, reference, candidates, mode } = run;
  const database = await appDb().catch((error: unknown) => {
    // The ranking still runs; it only will not survive a reload.
    useErrorStore.getState().report(error);
    return null;
  });
  const earlier = await database?.getRanking(key);
  const prior = earlier === undefined ? [] : toPrior(earlier.comparisons, ids);
  const session: RankSession = {
    key,
    model,
    mode,
    reference: reference === null ? null : saved(reference),
    candidates: candidates.map(saved),
    comparisons: toSaved(prior, ids),
    finished: false,
    updatedAt: Date.now(),
  };
  const blobs = new Map([reference, ...candidates].filter((image) => image !== null).map((image) => [image.id, image.blob]));
  let writes = database?.saveRanking(session, blobs) ?? Promise.resolve();
  const persist = (update: Partial<RankSession>) => {
    Object.assign(session, update, { updatedAt: Date.now() });
    const snapshot = { ...session, comparisons: [...session.comparisons] };
    writes = writes.then(() => database?.saveRanking(snapshot)).catch((error: unknown) => useErrorStore.getState().report(error));
  };
  useRankStore.getState().start(prior, 0, candidates.length + (reference === null ? 0 : 1));
  useRankStore.getState().setResumable(null);
  const onEvent = (event: RankEvent) => {
    const state = useRankStore.getState();
    if (event.type === 'start') state.setProgress({ planned: 2 * event.maxPairs });
    else if (event.type === 'encoded') state.setProgress({ encoded: event.done, toEncode: event.total });
    else if (event.type === 'comparison') {
      if (state.progress?.comparingSince === null) state.setProgress({ comparingSince: performance.now() - event.work.elapsedMs });
      const comparison: PriorComparison = { first: event.first, second: event.second, pA: event.pA, pB: event.pB };
      state.addComparison(comparison, event.done);
      persist({ comparisons: [...session.comparisons, ...toSaved([comparison], ids)] });
    }
  };
  const result = await pageEngine.rank({ reference, candidates, mode, prior }, onEvent);
  persist({ finished: !result.cancelled });
  useRankStore.getState().finish(result);
  await writes;
  if (!result.cancelled) {
    await saveRankingToHistory(result, { reference, candidates }, startedAt).catch((error: unknown) => useErrorStore.getState().report(error));
  }
}

/** Stops the ranking between two comparisons; the engine then reports the ranking of the pairs compared so far. */
export function stopRanking(): void {
  pageEngine.cancel().catch((error: unknown) => useErrorStore.getState().report(error));
}

/** Looks for an unfinished ranking saved by an earlier page, for the resume card. */
export async function findResumable(): Promise<void> {
  try {
    const session = await (await appDb()).latestUnfinishedRanking();
    if (session === undefined || useRankStore.getState().status === 'running') return;
    useRankStore.getState().setResumable({
      key: session.key,
      candidates: session.candidates.length,
      comparisons: session.comparisons.length,
      hasReference: session.reference !== null,
      mode: session.mode,
      updatedAt: session.updatedAt,
    });
  } catch {
    // The database's refusal is reported when a ranking starts; without it there is nothing to resume.
  }
}

/** Puts a saved ranking's images back (from the database: nothing to choose again) and resumes it. */
export async function resumeRanking(key: string): Promise<void> {
  try {
    const database = await appDb();
    const session = await database.getRanking(key);
    if (session === undefined) throw new AppError('REQUEST_INVALID', 'This ranking is no longer saved.', { hint: 'It was finished or discarded in another tab.' });
    const restore = async (image: SavedImage): Promise<SlotImage> => {
      const blob = (await database.getImage(image.sha256))?.blob;
      if (blob === undefined) {
        throw new AppError('IMAGE_MISSING', `The saved ranking lacks ${image.name} in the rankings database.`, { hint: 'Site data may have been partly cleared: add the images again.' });
      }
      return { id: image.sha256, ...imageFacts(image), blob, previewUrl: URL.createObjectURL(blob) };
    };
    const reference = session.reference === null ? null : await restore(session.reference);
    const candidates: SlotImage[] = [];
    for (const image of session.candidates) candidates.push(await restore(image));
    const store = useRankStore.getState();
    clearReference();
    for (const image of store.candidates) URL.revokeObjectURL(image.previewUrl);
    store.clearCandidates();
    store.setReference(reference);
    store.addCandidates(candidates, []);
    store.setMode(session.mode);
    await startRanking();
  } catch (error) {
    useErrorStore.getState().report(error);
  }
}

/** Forgets a saved ranking (its comparisons and the images no other saved ranking uses). */
export async function discardRanking(key: string): Promise<void> {
  useRankStore.getState().setResumable(null);
  await (await appDb()).deleteRanking(key).catch((error: unknown) => useErrorStore.getState().report(error));
}

/**
 * Asks DepictQA's Reasoning question about two neighbours of the ranking (the better one as Image A, with the
 * reference when there is one): the answer streams into the answer panel and is saved in History like any run.
 */
export function explainPair(better: SlotImage, worse: SlotImage, reference: SlotImage | null): Promise<void> {
  return pageEngine.run({
    task: 'reasoning',
    images: { ...(reference === null ? {} : { reference }), a: better, b: worse },
    question: { index: 0 },
    settings: { sampling: null, maxNewTokens: DEFAULT_MAX_NEW_TOKENS, loopGuard: false },
  });
}
