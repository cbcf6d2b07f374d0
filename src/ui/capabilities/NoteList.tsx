import { CircleAlert, CircleCheck, TriangleAlert } from 'lucide-react';
import type { CapabilityNote, Severity } from '../../core/capabilities.ts';

const STYLE: Record<Severity, { icon: typeof CircleCheck; className: string }> = {
  ok: { icon: CircleCheck, className: 'text-emerald-600 dark:text-emerald-400' },
  warn: { icon: TriangleAlert, className: 'text-amber-600 dark:text-amber-400' },
  error: { icon: CircleAlert, className: 'text-rose-600 dark:text-rose-400' },
};

export function NoteList({ notes }: { notes: CapabilityNote[] }) {
  return (
    <ul className="space-y-2">
      {notes.map((note) => {
        const { icon: Icon, className } = STYLE[note.severity];
        return (
          <li key={note.title} className="flex gap-2">
            <Icon aria-hidden="true" className={`mt-0.5 size-4 shrink-0 ${className}`} />
            <div>
              <p className="font-semibold text-slate-800 dark:text-slate-100">{note.title}</p>
              <p className="text-slate-600 dark:text-slate-300">{note.detail}</p>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
