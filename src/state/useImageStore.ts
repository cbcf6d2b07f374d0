import { create } from 'zustand';
import type { SerializedError } from '../core/errors.ts';
import type { ImageFacts } from '../core/image/imageFacts.ts';
import type { ImageSlotId } from '../core/tasks.ts';

/** An image the user put in a slot. The Blob is kept so workers can decode it and history can store it. */
export interface SlotImage extends ImageFacts {
  /** sha256 of the file's bytes, hex: the same picture is recognised wherever it is dropped. */
  id: string;
  /** A 16-bit PNG, which the browser reduces to 8 bits for the model. */
  sixteenBit?: boolean;
  blob: Blob;
  /** An object URL for <img> previews; revoked when the image leaves every slot. */
  previewUrl: string;
}

type Slots<T> = Record<ImageSlotId, T>;

interface ImageState {
  images: Slots<SlotImage | null>;
  errors: Slots<SerializedError | null>;
  /** Slots whose file is being read. */
  loading: Slots<boolean>;
  setLoading: (slot: ImageSlotId) => void;
  setImage: (slot: ImageSlotId, image: SlotImage) => void;
  setError: (slot: ImageSlotId, error: SerializedError) => void;
  clear: (slot: ImageSlotId) => void;
  swapAB: () => void;
}

const empty = <T>(value: T): Slots<T> => ({ reference: value, a: value, b: value });

export const useImageStore = create<ImageState>()((set, get) => {
  const release = (image: SlotImage | null, remaining: Slots<SlotImage | null>) => {
    if (image === null) return;
    const stillShown = Object.values(remaining).some((other) => other?.previewUrl === image.previewUrl);
    if (!stillShown) URL.revokeObjectURL(image.previewUrl);
  };
  return {
    images: empty(null),
    errors: empty(null),
    loading: empty(false),
    setLoading: (slot) => set((state) => ({ loading: { ...state.loading, [slot]: true }, errors: { ...state.errors, [slot]: null } })),
    setImage: (slot, image) => {
      const previous = get().images[slot];
      const images = { ...get().images, [slot]: image };
      set((state) => ({ images, errors: { ...state.errors, [slot]: null }, loading: { ...state.loading, [slot]: false } }));
      release(previous, images);
    },
    // A bad file leaves the slot's previous image in place: nothing the user had is lost.
    setError: (slot, error) => set((state) => ({ errors: { ...state.errors, [slot]: error }, loading: { ...state.loading, [slot]: false } })),
    clear: (slot) => {
      const previous = get().images[slot];
      const images = { ...get().images, [slot]: null };
      set((state) => ({ images, errors: { ...state.errors, [slot]: null } }));
      release(previous, images);
    },
    swapAB: () =>
      set((state) => ({
        images: { ...state.images, a: state.images.b, b: state.images.a },
        errors: { ...state.errors, a: state.errors.b, b: state.errors.a },
      })),
  };
});
