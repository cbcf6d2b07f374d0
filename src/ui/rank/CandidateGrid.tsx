import { X } from 'lucide-react';
import { useRankStore } from '../../state/useRankStore.ts';
import { removeCandidate } from './rankActions.ts';

/** The candidates as thumbnails, each with a remove button. */
export function CandidateGrid({ disabled }: { disabled: boolean }) {
  const candidates = useRankStore((state) => state.candidates);
  if (candidates.length === 0) return null;
  return (
    <ul aria-label="Candidates" className="grid grid-cols-4 gap-2 sm:grid-cols-6 lg:grid-cols-8" data-testid="rank-candidates">
      {candidates.map((image, k) => (
        <li key={image.id} className="relative overflow-hidden rounded-lg border border-slate-200 bg-slate-100 dark:border-slate-700 dark:bg-slate-800" data-testid="rank-candidate">
          <img src={image.previewUrl} alt={`Candidate ${k + 1}: ${image.name}`} className="aspect-square w-full object-cover" />
          <p className="truncate px-1 py-0.5 text-xs text-slate-700 dark:text-slate-200" title={image.name}>
            {image.name}
          </p>
          <button
            type="button"
            disabled={disabled}
            onClick={() => removeCandidate(image.id)}
            aria-label={`Remove ${image.name}`}
            className="absolute top-1 right-1 rounded-full bg-white/90 p-0.5 text-slate-700 shadow hover:text-rose-700 focus-visible:outline-2 focus-visible:outline-sky-500 disabled:opacity-50 dark:bg-slate-900/90 dark:text-slate-200"
          >
            <X aria-hidden="true" className="size-3.5" />
          </button>
        </li>
      ))}
    </ul>
  );
}
