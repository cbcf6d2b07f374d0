import type { RankedImage } from '../../core/ranking/index.ts';

/** The plot's geometry in SVG units: a row per image, the names' column on the left, the axis below. */
const PLOT = { row: 18, left: 150, right: 16, width: 560, top: 8, axis: 28 } as const;

/** Evenly spaced round ticks covering [low, high]. */
function ticks(low: number, high: number): number[] {
  const span = high - low || 1;
  const raw = span / 5;
  const step = [1, 2, 5, 10].map((f) => f * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + 1e-9; t += step) out.push(Number(t.toFixed(10)));
  return out;
}

/** Each candidate's Bradley–Terry score (dot) and 95% interval (bar), best at the top. */
export function ScorePlot({ ranking, names }: { ranking: readonly RankedImage[]; names: readonly string[] }) {
  const low = Math.min(...ranking.map((entry) => entry.low));
  const high = Math.max(...ranking.map((entry) => entry.high));
  const pad = (high - low) * 0.05 || 0.5;
  const [x0, x1] = [low - pad, high + pad];
  const x = (value: number) => PLOT.left + ((value - x0) / (x1 - x0)) * (PLOT.width - PLOT.left - PLOT.right);
  const height = PLOT.top + ranking.length * PLOT.row + PLOT.axis;
  return (
    <figure className="space-y-1">
      <svg
        viewBox={`0 0 ${PLOT.width} ${height}`}
        className="w-full text-slate-700 dark:text-slate-200"
        role="img"
        aria-labelledby="rank-plot-title"
        data-testid="rank-plot"
      >
        <title id="rank-plot-title">Scores with 95% intervals, best first</title>
        {ticks(x0, x1).map((tick) => (
          <g key={tick}>
            <line x1={x(tick)} x2={x(tick)} y1={PLOT.top} y2={height - PLOT.axis} className="stroke-slate-200 dark:stroke-slate-700" />
            <text x={x(tick)} y={height - PLOT.axis + 14} textAnchor="middle" className="fill-current text-[10px]">
              {tick.toFixed(Math.abs(tick) < 10 && tick % 1 !== 0 ? 1 : 0)}
            </text>
          </g>
        ))}
        <text x={(PLOT.left + PLOT.width - PLOT.right) / 2} y={height - 2} textAnchor="middle" className="fill-current text-[10px]">
          Bradley–Terry score (logits)
        </text>
        {ranking.map((entry, k) => {
          const y = PLOT.top + k * PLOT.row + PLOT.row / 2;
          const name = names[entry.index] ?? '';
          return (
            <g key={entry.index} data-testid="rank-plot-row">
              <text x={PLOT.left - 8} y={y + 3} textAnchor="end" className="fill-current text-[10px]">
                {`${k + 1}. ${name.length > 22 ? `${name.slice(0, 21)}…` : name}`}
              </text>
              <line x1={x(entry.low)} x2={x(entry.high)} y1={y} y2={y} strokeWidth={2} className="stroke-sky-600/60 dark:stroke-sky-400/60" />
              <circle cx={x(entry.score)} cy={y} r={4} className="fill-sky-700 dark:fill-sky-300" />
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
