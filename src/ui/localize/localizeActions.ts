import { imageFile, withMetrics } from '../../client/metricsClient.ts';
import { pageEngine } from '../../client/engine.ts';
import type { LocalizeEvent, LocalizeRecord, LocalizeTile } from '../../core/engine/localize.ts';
import { AppError, serializeError } from '../../core/errors.ts';
import { localizeHistoryRecord } from '../../core/history/localizeRecord.ts';
import { readGenerationForm } from '../../core/generation/generationForm.ts';
import { imageFacts } from '../../core/image/imageFacts.ts';
import type { Grid, TileRect } from '../../core/localize/grid.ts';
import { mapPlan } from '../../core/localize/localize.ts';
import { partialRecord, tileName } from '../../core/localize/tileView.ts';
import { DEFAULT_SKIP_TOLERANCE } from '../../core/localize/skip.ts';
import { useHistoryStore } from '../../state/useHistoryStore.ts';
import type { RgbImage } from '../../core/vision/rgbImage.ts';
import { useErrorStore } from '../../state/useErrorStore.ts';
import { useImageStore, type SlotImage } from '../../state/useImageStore.ts';
import { mapMatches, useLocalizeStore, type GridChoice, type MapImageIds } from '../../state/useLocalizeStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { saveRecord } from '../history/historyService.ts';
import { loadImageFile } from '../images/loadImageFile.ts';
import { withSeed } from '../run/runTask.ts';
import { holdingRunLock } from '../runLock.ts';

/** The slots' images a map is made of, checked as the engine will check them, before the model is asked. */
function mapInputs(choice: GridChoice): { reference: SlotImage | null; a: SlotImage; b: SlotImage | null; grid: Grid; finest: Grid } {
  const model = useModelStore.getState().model;
  if (model === null) throw new AppError('ENGINE_NOT_LOADED', 'No model is loaded.', { hint: 'Load a model bundle first, then make the map.' });
  const { reference, a, b } = useImageStore.getState().images;
  if (a === null) throw new AppError('IMAGE_MISSING', 'A quality map needs Image A.', { hint: 'Add Image A, and Image B or the reference.' });
  const { grid, finest } = mapPlan({ reference, a, b }, model.imageRule, choice);
  return { reference, a, b, grid, finest };
}

/**
 * The grid a map of the slots' images would use with `choice`, and the finest the images allow; or why none can be
 * made now (the message the map's button would give).
 */
export function plannedGrid(choice: GridChoice): { grid: Grid; finest: Grid } | { error: string } {
  try {
    const { grid, finest } = mapInputs(choice);
    return { grid, finest };
  } catch (error) {
    const { message, hint } = serializeError(error);
    return { error: hint === undefined ? message : `${message} ${hint}` };
  }
}

/**
 * Makes the local quality map of the slots' images, or (`goOn`) goes on from the stopped map shown, asking only the
 * tiles it lacks. Each tile as it is done goes to the viewer and into the map's History record, so a page closed
 * mid-map leaves the tiles done, to be opened from History and gone on with.
 */
export async function startMap(goOn = false): Promise<void> {
  const store = useLocalizeStore.getState();
  if (store.status === 'running') return;
  const startedAt = Date.now();
  try {
    const run = useRunStore.getState().status;
    if (run === 'encoding' || run === 'running') throw new AppError('REQUEST_INVALID', 'An answer is streaming.', { hint: 'Stop it or let it finish, then make the map.' });
    const earlier = goOn ? store.record : null;
    if (goOn && (earlier === null || !mapMatches(store.images, useImageStore.getState().images))) {
      throw new AppError('REQUEST_INVALID', 'There is no stopped map of these images to go on with.', { hint: 'Make a new map.' });
    }
    const { reference, a, b, grid } = mapInputs(earlier === null ? store.gridChoice : earlier.grid);
    const images: MapImageIds = { reference: reference?.id ?? null, a: a.id, b: b?.id ?? null };
    const saved = savedMap({ reference, a, b }, earlier === null ? null : store.savedId, startedAt);
    // One tab writes a map's record: going on with it in a second tab is refused while the first makes it.
    await holdingRunLock(`depictqa-map:${saved.id}`, async () => {
      const prior = earlier?.tiles;
      useLocalizeStore.getState().start(images, b === null ? 'identify' : 'compare', saved.id, prior);
      const base = { mode: b === null ? ('identify' as const) : ('compare' as const), grid, overlap: 0, tolerance: DEFAULT_SKIP_TOLERANCE, width: a.width, height: a.height };
      const onEvent = (event: LocalizeEvent) => {
        if (event.type !== 'tile') return;
        useLocalizeStore.getState().addTile(event.tile, event.done, event.total);
        // An earlier tile coming again changes nothing to save.
        if (event.done > (prior?.length ?? 0)) saved.save(partialRecord(base, useLocalizeStore.getState().tiles), 'running');
      };
      // The grid goes as chosen: the engine checks it against the bundle's rule again.
      const record = await pageEngine.localize({ reference, a, b, grid, ...(prior === undefined ? {} : { prior }) }, onEvent);
      useLocalizeStore.getState().finish(record);
      saved.save(record, record.cancelled ? 'stopped' : 'done');
      await saved.written();
    });
  } catch (error) {
    useLocalizeStore.getState().fail(serializeError(error));
  }
}

/** Every map's History writes, one after another: a map gone on with never has its record overwritten by an older one. */
let mapWrites = Promise.resolve();

/**
 * The History record of a map, written in order as the map goes (each write after the one before): the first with
 * the images, the rest without. A map that goes on from a saved one writes that record again.
 */
function savedMap(images: { reference: SlotImage | null; a: SlotImage; b: SlotImage | null }, savedId: string | null, startedAt: number) {
  const model = useModelStore.getState().model;
  const slotted = (['reference', 'a', 'b'] as const).flatMap((slot) => (images[slot] === null ? [] : [{ slot, image: images[slot] }]));
  const id = savedId ?? crypto.randomUUID();
  const before = useHistoryStore.getState().runs.find((run) => run.id === id);
  const start = {
    id,
    images: slotted.map(({ slot, image }) => ({ slot, sha256: image.id, ...imageFacts(image) })),
    model: model === null ? null : { name: model.name, variant: model.variant, backend: model.backend },
    startedAt: before?.startedAt ?? startedAt,
  };
  let blobs: ReadonlyMap<string, Blob> = new Map(slotted.map(({ image }) => [image.id, image.blob]));
  return {
    id,
    save(map: LocalizeRecord, status: 'running' | 'done' | 'stopped') {
      if (map.tiles.length === 0) return;
      const record = { ...localizeHistoryRecord(start, map, Date.now()), status };
      const withImages = blobs;
      blobs = new Map();
      // A failed write is reported; the map goes on (it only would not survive a reload).
      mapWrites = mapWrites.then(() => saveRecord(record, withImages)).catch((error: unknown) => useErrorStore.getState().report(error));
    },
    written: () => mapWrites,
  };
}

/** Stops the map between two tiles; the engine then reports the tiles done so far. */
export function stopMap(): void {
  pageEngine.cancel().catch((error: unknown) => useErrorStore.getState().report(error));
}

/**
 * Asks about one tile's crops: with B, DepictQA's Reasoning (why one is better); with A alone, its Description
 * against the reference's crop. The answer streams into the answer panel with the page's generation settings and is
 * saved in History like any run, with the crops as its images.
 */
export async function explainTile(tile: LocalizeTile): Promise<void> {
  const store = useLocalizeStore.getState();
  const { images } = useImageStore.getState();
  try {
    if (!mapMatches(store.images, images)) {
      throw new AppError('REQUEST_INVALID', 'The map shown was made for other images.', { hint: 'Make the map again for the images in the slots.' });
    }
    const run = useRunStore.getState().status;
    if (run === 'encoding' || run === 'running' || store.status === 'running') {
      throw new AppError('REQUEST_INVALID', 'The model is busy with another answer or the map.', { hint: 'Wait for it or stop it, then click the tile again.' });
    }
    // The answer follows the generation settings, as Run does.
    const form = readGenerationForm(useRunStore.getState().form);
    if (form.settings === null) throw new AppError('BAD_ARGUMENTS', 'The generation settings have an error.', { hint: 'Fix the fields marked in Generation settings, then click the tile again.' });
    store.select(tileName(tile));
    const reference = images.reference === null ? null : await cropImage(images.reference, tile);
    const a = await cropImage(images.a!, tile);
    const b = images.b === null ? null : await cropImage(images.b, tile);
    await pageEngine.run({
      task: b === null ? 'description' : 'reasoning',
      images: { ...(reference === null ? {} : { reference }), a, ...(b === null ? {} : { b }) },
      question: { index: 0 },
      settings: withSeed(form.settings),
    });
  } catch (error) {
    useErrorStore.getState().report(error);
  }
}

/**
 * One tile of a slot's image as an image of its own: the pixels the model reads (decoded in the metrics worker as
 * the engine decodes), cropped, and written as a lossless PNG, so the model sees exactly the map's crop.
 */
async function cropImage(image: SlotImage, tile: TileRect): Promise<SlotImage> {
  const crop = await withMetrics((metrics) => metrics.cropFile(imageFile(image), tile));
  const stem = image.name.replace(/\.[^.]+$/, '');
  return loadImageFile(await pngOf(crop), `${stem}-${tileName(tile)}.png`);
}

async function pngOf(image: RgbImage): Promise<Blob> {
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
    rgba[j] = image.data[i]!;
    rgba[j + 1] = image.data[i + 1]!;
    rgba[j + 2] = image.data[i + 2]!;
    rgba[j + 3] = 255;
  }
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  if (context === null) throw new AppError('IMAGE_DECODE_FAILED', 'This browser could not draw the tile to save it as an image.', { hint: 'Try an up-to-date Chrome or Edge.' });
  context.putImageData(new ImageData(rgba, image.width, image.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
