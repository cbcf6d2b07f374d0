import { formatBytes } from '../../core/format.ts';
import { useModelStore } from '../../state/useModelStore.ts';

function formatEta(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return ` · ${Math.ceil(seconds)} s left`;
  return ` · ${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s left`;
}

/** Overall and per-file progress of the load in progress. */
export function LoadProgressView() {
  const progress = useModelStore((state) => state.progress);
  const files = useModelStore((state) => state.files);
  if (progress === null) return <p className="text-sm text-slate-500 dark:text-slate-400">Opening the bundle…</p>;
  const overall = progress.bytesTotal > 0 ? progress.bytesLoaded / progress.bytesTotal : 0;
  return (
    <div className="space-y-2" data-testid="model-progress">
      <div className="flex justify-between text-xs text-slate-600 dark:text-slate-300">
        <span>
          {formatBytes(progress.bytesLoaded)} of {formatBytes(progress.bytesTotal)}
          {progress.bytesPerSecond > 0 && ` · ${formatBytes(progress.bytesPerSecond)}/s`}
          {formatEta(progress.etaSeconds)}
        </span>
        <span>{Math.round(overall * 100)}%</span>
      </div>
      <progress className="h-2 w-full accent-sky-600" value={overall} max={1} aria-label="Model download, overall" />
      <ul className="max-h-32 space-y-1 overflow-y-auto text-xs text-slate-500 dark:text-slate-400">
        {Object.entries(files).map(([path, file]) => (
          <li key={path} className="flex items-center gap-2">
            <span className="min-w-0 flex-1 truncate" title={path}>
              {path}
            </span>
            <span className="shrink-0 tabular-nums">
              {file.fromCache ? 'cached' : `${formatBytes(file.bytesLoaded)} / ${formatBytes(file.bytesTotal)}`}
            </span>
            <progress className="h-1.5 w-16 shrink-0 accent-sky-600" value={file.bytesLoaded} max={Math.max(file.bytesTotal, 1)} aria-label={`${path} progress`} />
          </li>
        ))}
      </ul>
    </div>
  );
}
