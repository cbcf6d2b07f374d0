import { Dices } from 'lucide-react';

/** The label of a bundle made from random weights: its answers are noise. */
export function RandomWeightsBadge() {
  return (
    <span
      data-testid="random-weights"
      className="inline-flex items-center gap-1 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900 ring-1 ring-amber-300 dark:bg-amber-950/60 dark:text-amber-200 dark:ring-amber-700"
    >
      <Dices aria-hidden="true" className="size-3.5" />
      random weights — for trying the pipeline only
    </span>
  );
}
