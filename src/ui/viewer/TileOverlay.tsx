import { distortionNames, tileLook, tileName } from '../../core/localize/tileView.ts';
import type { ImageSlotId } from '../../core/tasks.ts';
import { SLOT_LABELS } from '../../core/tasks.ts';
import { useLocalizeStore } from '../../state/useLocalizeStore.ts';
import { useMapOfSlots } from './useMapOfSlots.ts';

/** Skipped tiles: hatched, so "no visible difference" reads apart from "undecided". */
export const SKIPPED_HATCH = 'repeating-linear-gradient(45deg, rgb(51 65 85 / 0.55) 0 2px, rgb(255 255 255 / 0.3) 2px 9px)';

/**
 * The local quality map over one image, in the layer's image pixels (the shared view's transform scales it with the
 * picture): each tile coloured by p(A better), or named by its distortion; skipped tiles hatched; the tile last
 * explained outlined. Drawn only over the images the map was made of.
 */
export function TileOverlay({ slot }: { slot: ImageSlotId }) {
  const tiles = useMapOfSlots();
  const selected = useLocalizeStore((state) => state.selected);
  if (tiles === null) return null;
  const names = distortionNames(tiles);
  return (
    <div className="pointer-events-none absolute inset-0" data-testid="viewer-where" data-slot={slot} role="list" aria-label={`Quality map over ${SLOT_LABELS[slot]}`}>
      {tiles.map((tile) => {
        const look = tileLook(tile, names);
        const side = Math.min(tile.w, tile.h);
        const isSelected = selected === tileName(tile);
        return (
          <div
            key={tileName(tile)}
            role="listitem"
            data-testid="viewer-where-tile"
            data-tile={tileName(tile)}
            data-skipped={tile.skipped}
            data-pa={tile.pA}
            title={look.description}
            aria-label={look.description}
            className="absolute flex items-center justify-center font-semibold text-slate-900 tabular-nums"
            style={{
              left: tile.x,
              top: tile.y,
              width: tile.w,
              height: tile.h,
              backgroundColor: look.fill,
              backgroundImage: tile.skipped ? SKIPPED_HATCH : undefined,
              // Borders and labels in image pixels: they grow and shrink with the picture, like the tiles.
              boxShadow: `inset 0 0 0 ${Math.max(1, side / 120)}px ${isSelected ? 'rgb(14 165 233)' : 'rgb(15 23 42 / 0.35)'}`,
              outline: isSelected ? `${Math.max(2, side / 40)}px solid rgb(14 165 233)` : undefined,
              fontSize: Math.max(6, side / 9),
            }}
          >
            <span className="rounded bg-white/70 px-[0.25em] leading-tight">{look.label}</span>
          </div>
        );
      })}
    </div>
  );
}
