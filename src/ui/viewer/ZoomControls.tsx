import { Maximize, ZoomIn, ZoomOut } from 'lucide-react';
import { zoomPercent } from '../../core/viewer/zoomPan.ts';
import { ShortcutHelp } from './ShortcutHelp.tsx';
import { TOOL_BUTTON } from './ui.ts';
import type { ViewControls } from './useViewControls.ts';

interface Props {
  controls: ViewControls;
  dpr: number;
  helpOpen: boolean;
  setHelpOpen: (open: boolean) => void;
}

/** Zoom out, the zoom level (100% = one image pixel per screen pixel), zoom in, 1:1, fit, and the shortcut list. */
export function ZoomControls({ controls, dpr, helpOpen, setHelpOpen }: Props) {
  const percent = controls.view === null ? null : zoomPercent(controls.view.scale, dpr);
  return (
    <div className="flex flex-wrap items-center gap-0.5" role="toolbar" aria-label="Zoom">
      <button type="button" className={TOOL_BUTTON} onClick={() => controls.zoomStep(-1)} aria-label="Zoom out" title="Zoom out (−)">
        <ZoomOut aria-hidden="true" className="size-4" />
      </button>
      <output className="w-14 text-center text-sm text-slate-700 tabular-nums dark:text-slate-200" data-testid="viewer-zoom" aria-label="Zoom level">
        {percent === null ? '–' : `${percent < 10 ? percent.toFixed(1) : Math.round(percent)}%`}
      </output>
      <button type="button" className={TOOL_BUTTON} onClick={() => controls.zoomStep(1)} aria-label="Zoom in" title="Zoom in (+)">
        <ZoomIn aria-hidden="true" className="size-4" />
      </button>
      <button type="button" className={`${TOOL_BUTTON} font-medium`} onClick={controls.actualSize} title="One image pixel per screen pixel (9)">
        1:1
      </button>
      <button type="button" className={TOOL_BUTTON} onClick={controls.fit} title="Fit the images to the panes (0)">
        <Maximize aria-hidden="true" className="size-4" />
        Fit
      </button>
      <ShortcutHelp open={helpOpen} setOpen={setHelpOpen} />
    </div>
  );
}
