import { ImageIcon } from 'lucide-react';
import { SLOT_LABELS, type ImageSlotId } from '../../core/tasks.ts';

const ROLE: Record<ImageSlotId, string> = {
  reference: 'Optional. The pristine original, when you have one: with it the model compares against it.',
  a: 'The image to judge. Description and distortion identification look at this one.',
  b: 'The second candidate, for comparison and reasoning.',
};

const ORDER: ImageSlotId[] = ['reference', 'a', 'b'];

export function ImageSlots() {
  return (
    <section aria-labelledby="images-heading" className="space-y-3">
      <h2 id="images-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        Images
      </h2>
      <div className="grid grid-cols-3 gap-2 sm:gap-3">
        {ORDER.map((slot) => (
          <div
            key={slot}
            data-testid={`slot-${slot}`}
            className="flex aspect-[3/4] flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed border-slate-300 bg-white p-2 text-center sm:aspect-[4/3] sm:p-4 dark:border-slate-700 dark:bg-slate-900"
          >
            <ImageIcon aria-hidden="true" className="size-6 text-slate-400 dark:text-slate-500" />
            <p className="font-medium text-slate-800 dark:text-slate-100">{SLOT_LABELS[slot]}</p>
            <p className="hidden text-xs text-slate-500 sm:block dark:text-slate-400">{ROLE[slot]}</p>
          </div>
        ))}
      </div>
    </section>
  );
}
