import { Info, TriangleAlert, CircleAlert } from 'lucide-react';
import type { NoteSeverity, PreflightNote } from '../../core/bundle/preflight.ts';

const ICON: Record<NoteSeverity, { icon: typeof Info; className: string }> = {
  info: { icon: Info, className: 'text-sky-600 dark:text-sky-400' },
  warn: { icon: TriangleAlert, className: 'text-amber-600 dark:text-amber-400' },
  error: { icon: CircleAlert, className: 'text-rose-600 dark:text-rose-400' },
};

/** How the model will run in this browser: CPU fallback, software adapter, no f16, context and image sizes. */
export function PreflightNotes({ notes }: { notes: PreflightNote[] }) {
  if (notes.length === 0) return null;
  return (
    <ul data-testid="preflight-notes" className="space-y-1 text-xs text-slate-600 dark:text-slate-300">
      {notes.map((note) => {
        const { icon: Icon, className } = ICON[note.severity];
        return (
          <li key={note.text} className="flex gap-1.5">
            <Icon aria-hidden="true" className={`mt-px size-3.5 shrink-0 ${className}`} />
            <span>{note.text}</span>
          </li>
        );
      })}
    </ul>
  );
}
