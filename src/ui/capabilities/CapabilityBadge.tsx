import { useEffect, useId, useRef, useState } from 'react';
import { backendLabel, describeCapabilities, type Capabilities, type Severity } from '../../core/capabilities.ts';
import type { ProbeStatus } from '../../state/useCapabilityStore.ts';
import { CapabilityDetails } from './CapabilityDetails.tsx';

const DOT: Record<Severity | 'probing', string> = {
  ok: 'bg-emerald-500',
  warn: 'bg-amber-500',
  error: 'bg-rose-500',
  probing: 'bg-slate-400 animate-pulse',
};

interface Props {
  status: ProbeStatus;
  capabilities: Capabilities | null;
}

/** The header's at-a-glance view of what the model will run on; details open on click. */
export function CapabilityBadge({ status, capabilities }: Props) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && setOpen(false);
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  const notes = capabilities === null ? [] : describeCapabilities(capabilities);
  const worst = notes[0]?.severity ?? 'ok';
  const label =
    status === 'probing' ? 'Checking GPU…' : capabilities === null ? 'GPU check failed' : backendLabel(capabilities);
  const dot = status === 'probing' ? DOT.probing : capabilities === null ? DOT.error : DOT[worst];

  return (
    <div ref={rootRef} className="relative">
      <button
        type="button"
        data-testid="capability-badge"
        data-backend={capabilities?.backend ?? ''}
        aria-expanded={open}
        aria-controls={panelId}
        disabled={capabilities === null}
        onClick={() => setOpen((value) => !value)}
        className="flex shrink-0 items-center gap-1.5 rounded-full whitespace-nowrap border border-slate-300 bg-white px-2 py-1 text-xs font-medium sm:gap-2 sm:px-3 sm:py-1.5 sm:text-sm text-slate-700 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:cursor-default dark:border-slate-600 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700"
      >
        <span aria-hidden="true" className={`size-2.5 shrink-0 rounded-full ${dot}`} />
        {label}
      </button>
      {open && capabilities !== null && (
        <div
          id={panelId}
          role="dialog"
          aria-label="Compute capability of this browser"
          className="absolute right-0 z-20 mt-2 w-[min(28rem,calc(100vw-2rem))] rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-xl dark:border-slate-700 dark:bg-slate-800"
        >
          <CapabilityDetails capabilities={capabilities} notes={notes} />
        </div>
      )}
    </div>
  );
}
