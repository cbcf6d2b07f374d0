import { ArrowLeftRight } from 'lucide-react';
import { useEffect } from 'react';
import type { ImageSlotId } from '../../core/tasks.ts';
import { sizeMismatchNotes } from '../../core/vision/modelView.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { selectImageRule, useModelStore } from '../../state/useModelStore.ts';
import { ImageSlot } from './ImageSlot.tsx';
import { useImageLoader } from './useImageLoader.ts';

const ROLE: Record<ImageSlotId, string> = {
  reference: 'The pristine original, when you have one.',
  a: 'The image to judge.',
  b: 'The second candidate, for comparisons.',
};

const ORDER: ImageSlotId[] = ['reference', 'a', 'b'];

export function ImageSlots() {
  const { loadInto, loadRouted, replaceWithDisplayed } = useImageLoader();
  const swapAB = useImageStore((state) => state.swapAB);
  const canSwap = useImageStore((state) => state.images.a !== null || state.images.b !== null);
  const images = useImageStore((state) => state.images);
  const imageRule = useModelStore(selectImageRule);
  const mismatches = sizeMismatchNotes(
    Object.fromEntries(ORDER.flatMap((slot) => (images[slot] === null ? [] : [[slot, images[slot]]]))),
    imageRule,
  );

  // Files dropped anywhere else on the page are routed by name and order; a paste fills the first empty slot.
  useEffect(() => {
    const onDragOver = (event: DragEvent) => event.preventDefault();
    const onDrop = (event: DragEvent) => {
      event.preventDefault();
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length > 0) void loadRouted(files);
    };
    const onPaste = (event: ClipboardEvent) => {
      const file = [...(event.clipboardData?.files ?? [])].find((candidate) => candidate.type.startsWith('image/'));
      if (file === undefined) return;
      event.preventDefault();
      const { images } = useImageStore.getState();
      const slot = (['a', 'b', 'reference'] as const).find((candidate) => images[candidate] === null) ?? 'a';
      void loadInto(slot, file);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('paste', onPaste);
    };
  }, [loadInto, loadRouted]);

  return (
    <section aria-labelledby="images-heading" className="space-y-3">
      <div className="flex items-center justify-between gap-2">
        <h2 id="images-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
          Images
        </h2>
        <button
          type="button"
          onClick={swapAB}
          disabled={!canSwap}
          className="flex items-center gap-1.5 rounded-lg px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 disabled:opacity-40 dark:text-slate-300 dark:hover:bg-slate-800"
        >
          <ArrowLeftRight aria-hidden="true" className="size-4" />
          Swap A and B
        </button>
      </div>
      <div className="grid grid-cols-3 gap-2 sm:gap-3">
        {ORDER.map((slot) => (
          <ImageSlot
            key={slot}
            slot={slot}
            role={ROLE[slot]}
            onFiles={(target, files) => void loadInto(target, files[0] as File)}
            onUseAsDisplayed={(target) => void replaceWithDisplayed(target)}
          />
        ))}
      </div>
      {mismatches.length > 0 && (
        <ul data-testid="size-mismatch" className="space-y-1 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
          {mismatches.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
