import { FolderInput, RotateCcw, Scale, Square, Trash2 } from 'lucide-react';
import { useEffect, useState, type DragEvent } from 'react';
import { useMethodsStore, type MethodsMatch, type MethodsProgress } from '../../state/useMethodsStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { etaSeconds, formatEta, useSecondClock } from '../rank/RankProgressBar.tsx';
import { HEADING_CLASS, PANEL_CLASS, PRIMARY_CLASS, SECONDARY_CLASS } from '../rank/styles.ts';
import {
  addMethodFolder,
  clearMethods,
  discardMethods,
  findResumableMethods,
  readMethodFolders,
  resumeMethods,
  startMethods,
  stopMethods,
} from './methodsActions.ts';
import { filesFromDrop, filesFromInput, type PathFile } from './folderFiles.ts';
import { MethodsResults } from './MethodsResults.tsx';
import { FileInput } from '../layout/FileInput.tsx';

/**
 * The Methods mode: a folder of folders (references and one folder per method), the ids × methods match, the
 * pairs to ask, Compare / Stop with progress, and the method-level result.
 */
export function MethodsPanel() {
  useEffect(() => void findResumableMethods(), []);
  const { status, mode, setMode, match, notices, progress, report, error, resumable } = useMethodsStore();
  const modelReady = useModelStore((state) => state.status === 'ready' || state.status === 'lost');
  const answering = useRunStore((state) => state.status === 'encoding' || state.status === 'running');
  const [over, setOver] = useState(false);
  const running = status === 'running';
  const comparable = match?.ids.filter((entry) => entry.outputs.length >= 2).length ?? 0;
  const missing = !modelReady ? 'Load a model first.' : match === null ? 'Drop a folder of method folders.' : comparable === 0 ? 'No id has two outputs to compare.' : answering ? 'Wait for the answer to finish.' : null;
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (running) return;
    void filesFromDrop(event.dataTransfer.items).then(readMethodFolders);
  };

  return (
    <section aria-labelledby="methods-heading" className={PANEL_CLASS} data-testid="methods-panel" data-status={status}>
      <h2 id="methods-heading" className={HEADING_CLASS}>
        Methods
      </h2>
      {resumable !== null && !running && (
        <div role="status" className="flex flex-wrap items-center gap-2 rounded-lg border border-sky-200 bg-sky-50 p-3 text-sm dark:border-sky-900 dark:bg-sky-950/40" data-testid="methods-resume">
          <p className="flex-1 text-sky-900 dark:text-sky-100">
            An unfinished comparison of {resumable.methods} methods on {resumable.ids} images is saved, with {resumable.comparisons} comparisons made.
          </p>
          <button type="button" disabled={!modelReady || answering} onClick={() => void resumeMethods(resumable.key)} className={SECONDARY_CLASS}>
            <RotateCcw aria-hidden="true" className="size-4" />
            Resume
          </button>
          <button type="button" onClick={() => void discardMethods(resumable.key)} className={SECONDARY_CLASS}>
            Discard
          </button>
        </div>
      )}
      <div
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        className={`rounded-lg border-2 border-dashed p-4 text-sm ${over ? 'border-sky-500 bg-sky-50 dark:bg-sky-950/40' : 'border-slate-300 dark:border-slate-600'}`}
        data-testid="methods-drop"
      >
        <p className="text-slate-700 dark:text-slate-200">
          Drop one folder that holds a folder per method (2 to 16) and a folder of references named <code>ref</code>, <code>gt</code> or <code>HR</code> (optional), or add the
          folders one by one. Files are matched by name without the extension.
        </p>
        <div className="mt-3 flex flex-wrap gap-2">
          <FolderPicker label="Choose the folder…" testId="methods-folder-input" disabled={running} onFiles={(files) => void readMethodFolders(files)} />
          <FolderPicker label="Add one folder…" testId="methods-add-folder-input" disabled={running} onFiles={(files) => void addMethodFolder(files)} />
        </div>
      </div>
      {status === 'reading' && <p className="text-sm text-slate-600 dark:text-slate-300">Reading, checking and measuring the outputs…</p>}
      {notices.length > 0 && (
        <ul role="alert" className="space-y-1 rounded-lg border border-amber-200 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-100" data-testid="methods-notices">
          {notices.map((notice) => (
            <li key={notice}>{notice}</li>
          ))}
        </ul>
      )}
      {match !== null && <MatchTable match={match} />}
      <fieldset className="flex flex-wrap gap-4 text-sm" disabled={running}>
        <legend className="sr-only">Pairs to compare on each image</legend>
        <label className="flex items-center gap-2">
          <input type="radio" name="methods-mode" checked={mode === 'active'} onChange={() => setMode('active')} className="accent-sky-600" />
          Active (at most K·log₂K pairs per image)
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" name="methods-mode" checked={mode === 'allPairs'} onChange={() => setMode('allPairs')} className="accent-sky-600" />
          All pairs
        </label>
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        {running ? (
          <button type="button" onClick={stopMethods} className={`${PRIMARY_CLASS} bg-rose-600 hover:bg-rose-700 focus-visible:outline-rose-500`}>
            <Square aria-hidden="true" className="size-4" />
            Stop
          </button>
        ) : (
          <button type="button" onClick={() => void startMethods()} disabled={missing !== null} className={`${PRIMARY_CLASS} bg-sky-700 hover:bg-sky-800 focus-visible:outline-sky-500`}>
            <Scale aria-hidden="true" className="size-4" />
            Compare methods
          </button>
        )}
        {match !== null && !running && (
          <button type="button" onClick={clearMethods} className={SECONDARY_CLASS}>
            <Trash2 aria-hidden="true" className="size-4" />
            Clear
          </button>
        )}
        {missing !== null && !running && <p className="text-sm text-slate-500 dark:text-slate-400">{missing}</p>}
      </div>
      {running && progress !== null && <MethodsProgressBar progress={progress} />}
      {status === 'failed' && error !== null && (
        <div role="alert" className="rounded-lg border border-rose-200 bg-rose-50 p-3 text-sm text-rose-900 dark:border-rose-900 dark:bg-rose-950/40 dark:text-rose-100" data-testid="methods-error">
          <p>{error.message}</p>
          {error.hint !== undefined && <p className="mt-1 text-rose-800 dark:text-rose-200">{error.hint}</p>}
        </div>
      )}
      {report !== null && match !== null && <MethodsResults report={report} match={match} stopped={status === 'stopped'} />}
    </section>
  );
}

/** A folder chooser: every file of the folder comes with its path below the folder's parent. */
function FolderPicker({ label, testId, disabled, onFiles }: { label: string; testId: string; disabled: boolean; onFiles: (files: PathFile[]) => void }) {
  return (
    <label className={`${SECONDARY_CLASS} cursor-pointer`}>
      <FolderInput aria-hidden="true" className="size-4" />
      {label}
      <FileInput testId={testId} className="sr-only" disabled={disabled} folder multiple onFiles={(files) => onFiles(filesFromInput(files))} />
    </label>
  );
}

/** Ids × methods: ✓ an output that takes part, – one the method lacks, ✕ one left out (with the reason on hover). */
function MatchTable({ match }: { match: MethodsMatch }) {
  const missing = new Set(match.missing.map((m) => `${m.id}\n${m.method}`));
  const skipped = new Map(match.skipped.map((s) => [`${s.id}\n${s.method}`, s.reason]));
  const ids = [...new Set([...match.ids.map((e) => e.id), ...match.missing.map((m) => m.id), ...match.skipped.map((s) => s.id)])].sort();
  const present = new Set(match.ids.flatMap((e) => e.outputs.map((o) => `${e.id}\n${o.method}`)));
  const shown = ids.slice(0, 200);
  // The test images: those with an output or a missing one (a stray file with no reference is a row, not an image).
  const images = new Set([...match.ids.map((e) => e.id), ...match.missing.map((m) => m.id)]).size;
  return (
    <div className="space-y-1" data-testid="methods-match">
      <p className="text-xs text-slate-600 dark:text-slate-300">
        {match.methods.length} methods on {images} images{match.referenceFolder === null ? ', no references' : `, references from ${match.referenceFolder}/`}; {match.missing.length} missing,{' '}
        {match.skipped.length} skipped.
      </p>
      <div className="max-h-64 overflow-auto rounded-lg border border-slate-200 dark:border-slate-700">
        <table className="w-full text-xs tabular-nums">
          <thead className="sticky top-0 bg-slate-100 dark:bg-slate-800">
            <tr>
              <th scope="col" className="px-2 py-1 text-left">
                image
              </th>
              {match.methods.map((method) => (
                <th key={method} scope="col" className="px-2 py-1 text-center">
                  {method}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((id) => (
              <tr key={id} className="border-t border-slate-100 dark:border-slate-800" data-testid="methods-match-row">
                <th scope="row" className="px-2 py-0.5 text-left font-normal">
                  {id}
                </th>
                {match.methods.map((method) => {
                  const key = `${id}\n${method}`;
                  const reason = skipped.get(key);
                  const [mark, label, tone] = present.has(key)
                    ? ['✓', 'compared', 'text-emerald-700 dark:text-emerald-400']
                    : missing.has(key)
                      ? ['–', 'missing', 'text-slate-500 dark:text-slate-400']
                      : reason !== undefined
                        ? ['✕', `skipped: ${reason}`, 'text-rose-700 dark:text-rose-400']
                        : ['', '', ''];
                  return (
                    <td key={method} className={`px-2 py-0.5 text-center ${tone}`} title={label} data-state={label.split(':')[0]}>
                      <span aria-label={label}>{mark}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {ids.length > shown.length && <p className="text-xs text-slate-500 dark:text-slate-400">…and {ids.length - shown.length} more images.</p>}
      {match.skipped.length > 0 && (
        <ul className="list-disc pl-5 text-xs text-rose-800 dark:text-rose-300" data-testid="methods-skipped">
          {match.skipped.slice(0, 20).map((s) => (
            <li key={`${s.id}/${s.method}`}>
              {s.method}/{s.id}: {s.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function MethodsProgressBar({ progress }: { progress: MethodsProgress }) {
  const now = useSecondClock();
  const { done, planned, prior, current } = progress;
  const fraction = planned === 0 ? 0 : Math.min(1, done / planned);
  const eta = etaSeconds(progress, Math.max(now, progress.comparingSince ?? 0));
  return (
    <div className="space-y-1" data-testid="methods-progress" data-done={done} data-planned={planned} data-prior={prior}>
      <div className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700" role="progressbar" aria-label="Comparisons made" aria-valuemin={0} aria-valuemax={planned} aria-valuenow={done}>
        <div className="h-full bg-sky-600 transition-[width]" style={{ width: `${(100 * fraction).toFixed(1)}%` }} />
      </div>
      <p className="text-xs text-slate-600 tabular-nums dark:text-slate-300">
        {done} of at most {planned} comparisons{prior > 0 ? ` (${prior} resumed)` : ''}
        {current !== null ? `, image ${current}` : ''}
        {eta !== null ? ` · about ${formatEta(eta)} left at most` : ''}
      </p>
    </div>
  );
}
