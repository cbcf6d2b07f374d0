import { Grid3x3, Play, Square } from 'lucide-react';
import { gradientCss } from '../../core/viewer/colorScale.ts';
import { distortionColour, distortionNames, mapSummary, PREFERENCE_STOPS, tileLook, tileName } from '../../core/localize/tileView.ts';
import type { LocalizeTile } from '../../core/engine/localize.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { mapMatches, useLocalizeStore } from '../../state/useLocalizeStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { PRIMARY_CLASS } from '../rank/styles.ts';
import { Legend } from '../viewer/Legend.tsx';
import { SKIPPED_HATCH } from '../viewer/TileOverlay.tsx';
import { SMALL_SELECT } from '../viewer/ui.ts';
import { explainTile, plannedGrid, startMap, stopMap } from './localizeActions.ts';

/**
 * The "Where" overlay's controls: the grid, Make map / Stop with the tiles done, the legend, the map in words, and
 * its tiles as buttons (a click on a tile in the viewer does the same: the model says why, about that tile's crops).
 */
export function WherePanel() {
  const { status, gridChoice, setGridChoice, tiles, progress, record, error, mode, images: mapImages } = useLocalizeStore();
  const images = useImageStore((state) => state.images);
  // The model's resize rule bounds the grid: read again when another model loads.
  useModelStore((state) => state.model);
  const answering = useRunStore((state) => state.status === 'encoding' || state.status === 'running');
  const running = status === 'running';
  const plan = plannedGrid(gridChoice);
  const shown = mapMatches(mapImages, images);
  const sides = 'error' in plan ? null : plan.finest;

  return (
    <div className="space-y-2" data-testid="where-panel" data-status={status}>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        {(['rows', 'cols'] as const).map((side) => (
          <label key={side} className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-200">
            {side === 'rows' ? 'Rows' : 'Columns'}
            <select
              value={gridChoice[side] ?? 'auto'}
              disabled={running || sides === null}
              onChange={(event) => setGridChoice({ ...gridChoice, [side]: event.target.value === 'auto' ? null : Number(event.target.value) })}
              className={SMALL_SELECT}
              data-testid={`where-${side}`}
            >
              <option value="auto">auto{'error' in plan || gridChoice[side] !== null ? '' : ` (${plan.grid[side]})`}</option>
              {Array.from({ length: sides?.[side] ?? 0 }, (_, k) => (
                <option key={k + 1} value={k + 1}>
                  {k + 1}
                </option>
              ))}
            </select>
          </label>
        ))}
        {running ? (
          <button type="button" onClick={stopMap} className={`${PRIMARY_CLASS} bg-rose-600 py-1 hover:bg-rose-700 focus-visible:outline-rose-500`}>
            <Square aria-hidden="true" className="size-4" />
            Stop
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void startMap()}
            disabled={'error' in plan || answering}
            title={'error' in plan ? plan.error : answering ? 'Wait for the answer, or stop it.' : undefined}
            className={`${PRIMARY_CLASS} bg-sky-700 py-1 hover:bg-sky-800 focus-visible:outline-sky-500`}
          >
            <Grid3x3 aria-hidden="true" className="size-4" />
            {'error' in plan ? 'Make map' : `Make ${plan.grid.rows}×${plan.grid.cols} map`}
          </button>
        )}
        {!running && status === 'stopped' && shown && record !== null && (
          <button
            type="button"
            onClick={() => void startMap(true)}
            disabled={answering}
            className={`${PRIMARY_CLASS} bg-sky-700 py-1 hover:bg-sky-800 focus-visible:outline-sky-500`}
            title="Ask only the tiles this map lacks; the tiles done are kept."
          >
            <Play aria-hidden="true" className="size-4" />
            Go on
          </button>
        )}
        {progress !== null && (running || status === 'stopped') && (
          <p className="text-sm text-slate-600 tabular-nums dark:text-slate-300" data-testid="where-progress" data-done={progress.done} data-total={progress.total}>
            {progress.done} of {progress.total} tiles{status === 'stopped' ? ' (stopped)' : ''}
          </p>
        )}
      </div>
      {running && progress !== null && (
        <progress
          className="h-2 w-full overflow-hidden rounded-full [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-sky-600 dark:[&::-webkit-progress-bar]:bg-slate-700"
          max={progress.total}
          value={progress.done}
          aria-label="Quality map progress"
        />
      )}
      {'error' in plan && !running && <p className="text-sm text-amber-700 dark:text-amber-300" data-testid="where-blocked">{plan.error}</p>}
      {status === 'failed' && error !== null && (
        <div role="alert" className="rounded-lg border border-rose-200 bg-rose-50 p-2 text-sm text-rose-900 dark:border-rose-900 dark:bg-rose-950/40 dark:text-rose-100" data-testid="where-error">
          <p>{error.message}</p>
          {error.hint !== undefined && <p className="mt-1 text-rose-800 dark:text-rose-200">{error.hint}</p>}
        </div>
      )}
      {tiles.length > 0 && !shown && (
        <p className="text-sm text-amber-700 dark:text-amber-300" data-testid="where-stale">
          The map was made for other images than the slots hold now: make it again to see it here.
        </p>
      )}
      {tiles.length > 0 && shown && mode !== null && <MapKey tiles={tiles} mode={mode} />}
      {record !== null && shown && (
        <p className="text-xs whitespace-pre-line text-slate-600 dark:text-slate-300" data-testid="where-summary">
          {mapSummary(record)}
        </p>
      )}
      {tiles.length > 0 && shown && <TileButtons tiles={tiles} disabled={running || answering} />}
    </div>
  );
}

function MapKey({ tiles, mode }: { tiles: LocalizeTile[]; mode: 'compare' | 'identify' }) {
  const skipped = (
    <span className="flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300">
      <span aria-hidden="true" className="inline-block size-3.5 rounded-sm border border-slate-400" style={{ backgroundImage: SKIPPED_HATCH, backgroundSize: '8px 8px' }} />
      hatched, “=”: no visible difference (skipped, no model call)
    </span>
  );
  if (mode === 'compare') {
    return (
      <div className="flex flex-wrap items-start gap-x-6 gap-y-2" data-testid="where-legend">
        <Legend gradient={gradientCss(PREFERENCE_STOPS)} left="B better" right="A better" caption="p(A better) per tile, from both orders of the brief comparison" testId="where-scale" />
        {skipped}
      </div>
    );
  }
  const names = distortionNames(tiles);
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1" data-testid="where-legend">
      {names.map((name) => (
        <span key={name} className="flex items-center gap-1.5 text-xs text-slate-700 dark:text-slate-200">
          <span aria-hidden="true" className="inline-block size-3 rounded-sm border border-slate-400" style={{ backgroundColor: distortionColour(name, names) }} />
          {name}
        </span>
      ))}
      {skipped}
    </div>
  );
}

/** The tiles as buttons, for the keyboard and screen readers: each asks about its crops, as a click in the viewer does. */
function TileButtons({ tiles, disabled }: { tiles: LocalizeTile[]; disabled: boolean }) {
  const selected = useLocalizeStore((state) => state.selected);
  const names = distortionNames(tiles);
  const asked = tiles.filter((tile) => !tile.skipped);
  if (asked.length === 0) return null;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-slate-600 dark:text-slate-300">Ask why about one tile ({asked.length} asked)</summary>
      <div className="mt-1 flex flex-wrap gap-1" role="group" aria-label="Tiles of the map">
        {asked.map((tile) => {
          const look = tileLook(tile, names);
          return (
            <button
              key={tileName(tile)}
              type="button"
              disabled={disabled}
              onClick={() => void explainTile(tile)}
              title={look.description}
              aria-pressed={selected === tileName(tile)}
              data-testid="where-tile-button"
              className="rounded-md border border-slate-300 px-1.5 py-0.5 text-xs tabular-nums hover:bg-slate-100 disabled:opacity-40 aria-pressed:border-sky-500 dark:border-slate-600 dark:hover:bg-slate-800"
              style={{ backgroundColor: look.fill }}
            >
              {tileName(tile)} · {look.label}
            </button>
          );
        })}
      </div>
    </details>
  );
}
