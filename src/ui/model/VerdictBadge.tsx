import { CircleCheck, CircleHelp, CircleX, TriangleAlert } from 'lucide-react';
import type { PreflightVerdict } from '../../core/bundle/preflight.ts';

const STYLE: Record<PreflightVerdict, { label: string; icon: typeof CircleCheck; className: string }> = {
  fits: { label: 'Fits', icon: CircleCheck, className: 'bg-emerald-50 text-emerald-800 ring-emerald-200 dark:bg-emerald-950/50 dark:text-emerald-200 dark:ring-emerald-800' },
  tight: { label: 'Tight', icon: TriangleAlert, className: 'bg-amber-50 text-amber-800 ring-amber-200 dark:bg-amber-950/50 dark:text-amber-200 dark:ring-amber-800' },
  'no-fit': { label: 'Will not fit', icon: CircleX, className: 'bg-rose-50 text-rose-800 ring-rose-200 dark:bg-rose-950/50 dark:text-rose-200 dark:ring-rose-800' },
  unknown: { label: 'Cannot tell', icon: CircleHelp, className: 'bg-slate-100 text-slate-700 ring-slate-200 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-700' },
};

/** The pre-flight verdict as a labelled chip (colour is never the only signal). */
export function VerdictBadge({ verdict }: { verdict: PreflightVerdict }) {
  const { label, icon: Icon, className } = STYLE[verdict];
  return (
    <span data-testid="preflight-verdict" className={`inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${className}`}>
      <Icon aria-hidden="true" className="size-3.5" />
      {label}
    </span>
  );
}
