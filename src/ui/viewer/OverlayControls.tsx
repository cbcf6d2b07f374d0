import { differenceAtTop, gradientCss, HEAT_STOPS, SSIM_STOPS } from '../../core/viewer/colorScale.ts';
import type { DiffMap } from '../../core/viewer/diffMap.ts';
import type { ImageSlotId } from '../../core/tasks.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { useViewerStore, type ViewerOverlay } from '../../state/useViewerStore.ts';
import { whereBlocker } from '../../core/viewer/viewerRules.ts';
import { WherePanel } from '../localize/WherePanel.tsx';
import { Legend } from './Legend.tsx';
import { segmentButton, SEGMENT_GROUP, SMALL_SELECT } from './ui.ts';
import { useDiffMap, useSsimMap } from './useOverlayMaps.ts';

const AMPLIFICATIONS = [1, 2, 4, 8, 16, 32] as const;
const OVERLAYS: ReadonlyArray<{ id: ViewerOverlay; label: string; key?: string }> = [
  { id: 'none', label: 'No overlay' },
  { id: 'difference', label: 'Difference', key: 'D' },
  { id: 'ssim', label: 'SSIM map', key: 'M' },
  { id: 'where', label: 'Where', key: 'W' },
];

interface Props {
  images: Record<ImageSlotId, SlotImage | null>;
  /** Slots (A, B) whose overlays can be drawn: same size as the reference. */
  comparable: ImageSlotId[];
  /** Why an overlay is off for a filled slot. */
  blockers: string[];
}

/** Overlay choice, its settings and colour scale, and what the maps are computed on; the quality map's controls. */
export function OverlayControls({ images, comparable, blockers }: Props) {
  const { overlay, setOverlay, diffMode, setDiffMode, amplification, setAmplification, ssimOpacity, setSsimOpacity } = useViewerStore();
  const noPixelMaps = comparable.length === 0;
  const noMap = whereBlocker(images);
  const blockedBy = (id: ViewerOverlay): string | null =>
    id === 'none' ? null : id === 'where' ? noMap : noPixelMaps ? blockers.join(' ') || 'Add a reference and an image of its size.' : null;
  const active = blockedBy(overlay) === null ? overlay : 'none';

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <div className={SEGMENT_GROUP} role="group" aria-label="Overlay">
          {OVERLAYS.map((option) => (
            <button
              key={option.id}
              type="button"
              aria-pressed={active === option.id}
              disabled={blockedBy(option.id) !== null}
              title={blockedBy(option.id) ?? (option.key && `${option.label} (${option.key})`)}
              onClick={() => setOverlay(option.id)}
              className={segmentButton(active === option.id)}
            >
              {option.label}
            </button>
          ))}
        </div>
        {active === 'difference' && (
          <>
            <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-200">
              Per pixel
              <select value={diffMode} onChange={(event) => setDiffMode(event.target.value as typeof diffMode)} className={SMALL_SELECT}>
                <option value="channel">largest channel</option>
                <option value="luma">luma (Y)</option>
              </select>
            </label>
            <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-200">
              Amplify
              <input
                type="range"
                min={0}
                max={AMPLIFICATIONS.length - 1}
                step={1}
                value={Math.max(0, AMPLIFICATIONS.indexOf(amplification as (typeof AMPLIFICATIONS)[number]))}
                onChange={(event) => setAmplification(AMPLIFICATIONS[Number(event.target.value)]!)}
                aria-valuetext={`×${amplification}`}
                className="w-24 accent-sky-600"
                data-testid="viewer-amplification"
              />
              <span className="w-8 tabular-nums">×{amplification}</span>
            </label>
          </>
        )}
        {active === 'ssim' && (
          <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-200">
            Opacity
            <input
              type="range"
              min={0}
              max={100}
              value={Math.round(ssimOpacity * 100)}
              onChange={(event) => setSsimOpacity(Number(event.target.value) / 100)}
              aria-valuetext={`${Math.round(ssimOpacity * 100)}%`}
              className="w-24 accent-sky-600"
              data-testid="viewer-ssim-opacity"
            />
            <span className="w-10 tabular-nums">{Math.round(ssimOpacity * 100)}%</span>
          </label>
        )}
      </div>
      {active === 'difference' && <DifferenceNotes images={images} comparable={comparable} />}
      {active === 'ssim' && <SsimNotes images={images} comparable={comparable} />}
      {active === 'where' && <WherePanel />}
      {blockers.map((blocker) => (
        <p key={blocker} className="text-sm text-amber-700 dark:text-amber-300" data-testid="viewer-overlay-note">
          {blocker}
        </p>
      ))}
    </div>
  );
}

function DifferenceNotes({ images, comparable }: Pick<Props, 'images' | 'comparable'>) {
  const diffMode = useViewerStore((state) => state.diffMode);
  const amplification = useViewerStore((state) => state.amplification);
  // Shares the panes' requests: the maps are cached by image pair and mode.
  const a = useDiffMap(images.reference, images.a, diffMode, comparable.includes('a'));
  const b = useDiffMap(images.reference, images.b, diffMode, comparable.includes('b'));
  const maps: Array<[string, DiffMap]> = [];
  if (a?.status === 'ready') maps.push(['A', a.map]);
  if (b?.status === 'ready') maps.push(['B', b.map]);
  const reduced = maps.find(([, map]) => map.factor > 1)?.[1];
  const top = differenceAtTop(amplification);
  return (
    <div className="flex flex-wrap items-start gap-x-6 gap-y-2">
      <Legend
        gradient={gradientCss(HEAT_STOPS)}
        left="0"
        right={`≥ ${Number.isInteger(top) ? top : top.toFixed(1)}`}
        caption={`|image − reference|, ${diffMode === 'luma' ? 'luma' : 'largest channel'}, 0..255`}
        testId="viewer-diff-legend"
      />
      <ul className="space-y-0.5 text-xs text-slate-600 tabular-nums dark:text-slate-300" data-testid="viewer-diff-stats">
        {maps.map(([name, map]) => (
          <li key={name}>
            {name}: largest {Math.round(map.max)}, mean {map.mean.toFixed(2)}, {formatShare(map.changedPixels, images.reference!.width * images.reference!.height)}
          </li>
        ))}
        {reduced !== undefined && (
          <li>
            Shown at 1/{reduced.factor} size to keep the page responsive: each heat pixel is the largest difference in its {reduced.factor}×{reduced.factor}{' '}
            block.
          </li>
        )}
      </ul>
    </div>
  );
}

function SsimNotes({ images, comparable }: Pick<Props, 'images' | 'comparable'>) {
  const a = useSsimMap(images.reference, images.a, comparable.includes('a'));
  const b = useSsimMap(images.reference, images.b, comparable.includes('b'));
  const factor = (a?.status === 'ready' ? a.map.factor : null) ?? (b?.status === 'ready' ? b.map.factor : null);
  return (
    <div className="flex flex-wrap items-start gap-x-6 gap-y-2">
      <Legend gradient={gradientCss(SSIM_STOPS)} left="0 (or less)" right="1" caption="Local SSIM against the reference" testId="viewer-ssim-legend" />
      {factor !== null && factor > 1 && (
        <p className="max-w-xs text-xs text-slate-600 dark:text-slate-300">
          The map is at 1/{factor} size, as SSIM is computed (Wang&rsquo;s automatic downsampling), stretched over the image.
        </p>
      )}
    </div>
  );
}

function formatShare(part: number, whole: number): string {
  if (part === 0) return 'no pixel differs';
  const percent = (100 * part) / whole;
  return `${percent < 0.1 ? '< 0.1' : percent.toFixed(1)}% of pixels differ`;
}
