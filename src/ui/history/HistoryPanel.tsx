import { Download, History, Trash2 } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useHistoryStore } from '../../state/useHistoryStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { ACTION_CLASS } from './CopyButton.tsx';
import { HistoryItem } from './HistoryItem.tsx';
import { deleteAllRuns, exportAllRuns, listImage, reportFailure, startHistory } from './historyService.ts';

/** Saved runs of this browser, newest first: open one again, copy, export or delete it. */
export function HistoryPanel() {
  useEffect(startHistory, []);
  const { status, runs, thumbnails, openedId } = useHistoryStore();
  const busy = useRunStore((state) => state.status === 'encoding' || state.status === 'running');
  const [confirming, setConfirming] = useState(false);
  const count = runs.length === 1 ? '1 run' : `${runs.length} runs`;

  return (
    <section aria-labelledby="history-heading" data-testid="history-panel" className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="history-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
          History
          {runs.length > 0 && <span className="ml-2 font-normal tracking-normal normal-case">{count}</span>}
        </h2>
        {runs.length > 0 && (
          <div className="flex flex-wrap gap-1">
            <button type="button" onClick={() => exportAllRuns(runs, 'markdown')} aria-label="Export all runs as Markdown" className={ACTION_CLASS}>
              <Download aria-hidden="true" className="size-3.5" />
              All as MD
            </button>
            <button type="button" onClick={() => exportAllRuns(runs, 'json')} aria-label="Export all runs as JSON" className={ACTION_CLASS}>
              <Download aria-hidden="true" className="size-3.5" />
              All as JSON
            </button>
            <button type="button" onClick={() => setConfirming(true)} disabled={busy || confirming} className={`${ACTION_CLASS} hover:text-rose-700 dark:hover:text-rose-300`}>
              <Trash2 aria-hidden="true" className="size-3.5" />
              Delete all
            </button>
          </div>
        )}
      </div>
      {confirming && runs.length > 0 && (
        <div role="alertdialog" aria-labelledby="history-confirm" className="mt-3 space-y-2 rounded-lg border border-rose-200 bg-rose-50 p-3 text-sm dark:border-rose-900 dark:bg-rose-950/40">
          <p id="history-confirm" className="text-rose-900 dark:text-rose-100">
            Delete all {count} and their images from this browser? This cannot be undone.
          </p>
          <div className="flex gap-2">
            <button
              type="button"
              onClick={() => {
                setConfirming(false);
                reportFailure(deleteAllRuns());
              }}
              className="rounded-md bg-rose-600 px-3 py-1 text-xs font-semibold text-white hover:bg-rose-700 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-rose-500"
            >
              Yes, delete all
            </button>
            {/* Focus lands on Cancel: the safe choice for a key press. */}
            <button type="button" autoFocus onClick={() => setConfirming(false)} className={ACTION_CLASS}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {status === 'unavailable' ? (
        <p className="mt-2 text-sm text-amber-700 dark:text-amber-300">This browser refused the history database: runs are not saved.</p>
      ) : runs.length === 0 ? (
        <div className="mt-2 flex items-center gap-3 text-sm text-slate-500 dark:text-slate-400" data-testid="history-empty">
          <History aria-hidden="true" className="size-6 shrink-0 text-slate-300 dark:text-slate-600" />
          <p>{status === 'loading' ? 'Reading saved runs…' : 'Each run is saved here with its images and answer, in this browser only.'}</p>
        </div>
      ) : (
        <ul className="mt-3 max-h-[32rem] space-y-1 overflow-y-auto" aria-label="Saved runs">
          {runs.map((run) => {
            const image = listImage(run);
            return (
              <HistoryItem
                key={run.id}
                run={run}
                thumbnailUrl={image === undefined ? undefined : thumbnails[image.sha256]}
                opened={run.id === openedId}
                busy={busy}
              />
            );
          })}
        </ul>
      )}
    </section>
  );
}
