import type { SerializedError } from '../errors.ts';
import type { Grid } from '../localize/grid.ts';
import type { LocalizeRecord, LocalizeTile } from '../localize/localize.ts';
import type { ImageInput } from './images.ts';

/**
 * A local quality map across the engine boundary. The images go as files (the engine needs their pixels, not only
 * their features): with B, each tile's brief comparison in both orders; with A alone and the reference, each tile's
 * distortion. Plain data, as every type of the engine boundary (api.ts).
 */
export interface LocalizeRequest {
  reference?: ImageInput;
  a: ImageInput;
  b?: ImageInput;
  /** Default: tiles near the model's input size. */
  grid?: Grid;
  overlap?: number;
  tolerance?: number;
  /** Which brief comparison question (default 0). */
  questionIndex?: number;
  /** Tiles of this map made before (stopped or interrupted): taken as they are, only the others are asked. */
  prior?: LocalizeTile[];
}

export type LocalizeEvent =
  | { type: 'tile'; tile: LocalizeTile; done: number; total: number }
  | { type: 'done'; result: LocalizeRecord }
  | { type: 'error'; error: SerializedError };

export type { LocalizeRecord, LocalizeTile };
