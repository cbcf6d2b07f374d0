import { Keyboard } from 'lucide-react';
import { useEffect, useId, useRef } from 'react';
import { SHORTCUTS } from '../../core/viewer/viewerRules.ts';
import { TOOL_BUTTON } from './ui.ts';

interface Props {
  open: boolean;
  setOpen: (open: boolean) => void;
}

/** The viewer's keyboard shortcuts in a small popover; Esc or a click elsewhere closes it. */
export function ShortcutHelp({ open, setOpen }: Props) {
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener('pointerdown', onPointerDown);
    return () => window.removeEventListener('pointerdown', onPointerDown);
  }, [open, setOpen]);

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        className={TOOL_BUTTON}
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
        title="Keyboard shortcuts (?)"
      >
        <Keyboard aria-hidden="true" className="size-4" />
        <span className="sr-only sm:not-sr-only">Keys</span>
      </button>
      {open && (
        <div
          id={id}
          role="dialog"
          aria-label="Keyboard shortcuts"
          data-testid="viewer-shortcuts"
          className="absolute top-full right-0 z-20 mt-1 w-72 max-sm:fixed max-sm:inset-x-3 max-sm:top-auto max-sm:bottom-3 max-sm:max-h-[70vh] max-sm:w-auto max-sm:overflow-auto rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              setOpen(false);
            }
          }}
        >
          <p className="mb-2 text-xs text-slate-500 dark:text-slate-400">While the viewer has focus (click an image):</p>
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
            {SHORTCUTS.map((shortcut) => (
              <div key={shortcut.does} className="contents">
                <dt className="flex items-start gap-1 whitespace-nowrap">
                  {shortcut.keys.map((key) => (
                    <kbd key={key} className="rounded border border-slate-300 bg-slate-50 px-1.5 font-mono text-xs dark:border-slate-600 dark:bg-slate-800">
                      {key}
                    </kbd>
                  ))}
                </dt>
                <dd className="text-slate-700 dark:text-slate-200">{shortcut.does}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </div>
  );
}
