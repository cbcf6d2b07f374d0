import { Download, FolderOpen, ImageOff, Trash2 } from 'lucide-react';
import { firstLine, historySlotLabel, historyTaskLabel, verdictLabel, type HistoryRecord } from '../../core/history/record.ts';
import { ACTION_CLASS, CopyButton } from './CopyButton.tsx';
import { deleteRun, exportRun, listImage, openRun, reportFailure } from './historyService.ts';

const STATUS_BADGE = {
  running: ['Answering…', 'bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200'],
  stopped: ['Stopped', 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100'],
  failed: ['Failed', 'bg-rose-100 text-rose-800 dark:bg-rose-900/60 dark:text-rose-200'],
} as const;

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

interface HistoryItemProps {
  run: HistoryRecord;
  thumbnailUrl: string | undefined;
  opened: boolean;
  /** A run is encoding or answering: opening another would replace its answer. */
  busy: boolean;
}

/** One saved run: thumbnail, task, verdict, status, the answer's first line and time, and what can be done with it. */
export function HistoryItem({ run, thumbnailUrl, opened, busy }: HistoryItemProps) {
  const task = historyTaskLabel(run.task);
  const verdict = verdictLabel(run);
  const line = firstLine(run.answer);
  const image = listImage(run);
  const badge = run.status === 'done' ? null : STATUS_BADGE[run.status];
  const when = timeFormat.format(run.startedAt);
  return (
    <li
      data-testid="history-item"
      data-run-id={run.id}
      data-status={run.status}
      aria-current={opened ? 'true' : undefined}
      className={`flex gap-3 rounded-lg p-2 ${opened ? 'bg-sky-50 ring-1 ring-sky-200 dark:bg-sky-950/40 dark:ring-sky-900' : ''}`}
    >
      <div className="size-12 shrink-0 overflow-hidden rounded-md border border-slate-200 bg-slate-100 dark:border-slate-700 dark:bg-slate-800">
        {thumbnailUrl !== undefined ? (
          <img src={thumbnailUrl} alt={image === undefined ? '' : `${historySlotLabel(image.slot)}: ${image.name}`} className="size-full object-cover" />
        ) : (
          <ImageOff aria-hidden="true" className="m-3.5 size-5 text-slate-400" />
        )}
      </div>
      <div className="min-w-0 flex-1 space-y-1 [contain:inline-size]">
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <span className="text-sm font-medium text-slate-800 dark:text-slate-100">{task}</span>
          {verdict !== null && (
            <span data-testid="history-verdict" className={`rounded-full px-2 py-0.5 text-xs font-medium ${run.verdict !== null ? 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200' : 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100'}`}>
              {verdict}
            </span>
          )}
          {badge !== null && (
            <span data-testid="history-status" className={`rounded-full px-2 py-0.5 text-xs font-medium ${badge[1]}`}>
              {run.interrupted ? 'Interrupted' : badge[0]}
            </span>
          )}
          <time dateTime={new Date(run.startedAt).toISOString()} className="ml-auto text-xs text-slate-500 tabular-nums dark:text-slate-400">
            {when}
          </time>
        </div>
        {run.status === 'failed' && run.error !== null && line === '' ? (
          <p className="truncate text-sm text-rose-700 dark:text-rose-300" data-testid="history-line" title={run.error.message}>{run.error.message}</p>
        ) : (
          <p className="truncate text-sm text-slate-600 dark:text-slate-300" data-testid="history-line" title={line}>
            {line === '' ? <span className="text-slate-500 italic dark:text-slate-400">No answer</span> : line}
          </p>
        )}
        <div className="flex flex-wrap gap-1 pt-0.5">
          <button
            type="button"
            onClick={() => reportFailure(openRun(run.id))}
            disabled={busy}
            aria-label={`Open the ${task} run of ${when}`}
            title={busy ? 'Wait for the running answer to end' : 'Put its images back and show its answer'}
            className={ACTION_CLASS}
          >
            <FolderOpen aria-hidden="true" className="size-3.5" />
            Open
          </button>
          <CopyButton text={run.answer} label={`Copy the answer of the ${task} run of ${when}`} />
          <button type="button" onClick={() => exportRun(run, 'markdown')} aria-label={`Export the ${task} run of ${when} as Markdown`} title="Download as Markdown" className={ACTION_CLASS}>
            <Download aria-hidden="true" className="size-3.5" />
            MD
          </button>
          <button type="button" onClick={() => exportRun(run, 'json')} aria-label={`Export the ${task} run of ${when} as JSON`} title="Download as JSON" className={ACTION_CLASS}>
            <Download aria-hidden="true" className="size-3.5" />
            JSON
          </button>
          <button
            type="button"
            onClick={() => reportFailure(deleteRun(run.id))}
            disabled={run.status === 'running' && busy}
            aria-label={`Delete the ${task} run of ${when}`}
            title="Delete this run"
            className={`${ACTION_CLASS} hover:text-rose-700 dark:hover:text-rose-300`}
          >
            <Trash2 aria-hidden="true" className="size-3.5" />
          </button>
        </div>
      </div>
    </li>
  );
}
