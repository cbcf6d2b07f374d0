/**
 * The method comparison's report in the forms a paper and a reader need, as text: the Markdown report (tables,
 * disagreements and the model's reasons), a booktabs LaTeX tabular, one CSV row per id and method, and two SVG
 * plots (the win-rate heat map, the scores with their intervals). `npm run compare` writes them into OUT; the
 * page's Methods mode offers them as downloads.
 */
import { combineOrders } from '../ranking/records.ts';
import { METHOD_METRICS, methodStats, type MethodImage, type MethodMetric, type MethodStats, type MethodStatsOptions, type MetricValues } from './methodStats.ts';

/** DepictQA's Reasoning answer for one disagreement, the preferred output shown as Image A. */
export interface Explanation {
  id: string;
  better: string;
  worse: string;
  confidence: number;
  text: string;
  /** The method the answer prefers, or null when its verdict is unreadable. */
  prefers: string | null;
  runs: { vision: number; decoder: number; decodeSteps: number; prefillTokens: number };
}

/** The record of a method comparison (`summary.json`, the `--json` record, the page's JSON export). */
export interface MethodsReport extends MethodStats {
  /** DepictQA's reasons for the strongest disagreements; empty when none were asked. */
  explanations: Explanation[];
  missing: Array<{ method: string; id: string }>;
  skipped: Array<{ method: string; id: string; reason: string }>;
  stats: { images: number; pairs: number; comparisons: number; modelRuns: number; visionRuns: number; prefillTokens: number; elapsedMs: number };
  pairs: 'active' | 'allPairs';
  shards: number;
  device: string;
  variant: string;
}

/** By id, then method: each output's metrics against the id's reference. */
export type OutputMetrics = Record<string, Record<string, MetricValues>>;

/** The model runs a comparison took, summed: decoder and vision runs together, and the vision runs alone. */
export interface ReportRuns {
  modelRuns: number;
  visionRuns: number;
  prefillTokens: number;
  elapsedMs: number;
}

/** The method-level statistics of the comparisons so far, with what was left out and what the work cost. */
export function buildMethodsReport(
  methods: readonly string[],
  images: readonly MethodImage[],
  parts: Pick<MethodsReport, 'missing' | 'skipped' | 'pairs' | 'shards' | 'device' | 'variant'> & { runs: ReportRuns },
  options: MethodStatsOptions = {},
): MethodsReport {
  const { runs } = parts;
  return {
    ...methodStats(methods, images, options),
    explanations: [],
    missing: parts.missing,
    skipped: parts.skipped,
    stats: {
      images: images.length,
      pairs: images.reduce((sum, image) => sum + combineOrders(image.records).length, 0),
      comparisons: images.reduce((sum, image) => sum + image.records.length, 0),
      ...runs,
      elapsedMs: Math.round(runs.elapsedMs),
    },
    pairs: parts.pairs,
    shards: parts.shards,
    device: parts.device,
    variant: parts.variant,
  };
}

const METRIC_LABEL: Record<MethodMetric, string> = { psnr: 'PSNR', ssim: 'SSIM', msssim: 'MS-SSIM', gmsd: 'GMSD' };

const fixed = (value: number | null, digits: number): string => (value === null || !Number.isFinite(value) ? '—' : value.toFixed(digits));

/**
 * A score in logits, to two decimals; below 0.01 (a model that barely tells the methods apart) to two significant
 * digits, so that its order stays readable. Never "-0.00".
 */
export function formatScore(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value === 0) return '0.00';
  return Math.abs(value) < 0.005 ? value.toPrecision(2) : value.toFixed(2);
}
const percent = (value: number | null): string => (value === null ? '—' : `${(100 * value).toFixed(0)}%`);
const METRIC_DIGITS: Record<MethodMetric, number> = { psnr: 2, ssim: 4, msssim: 4, gmsd: 4 };

export function markdownReport(s: MethodsReport): string {
  const best = s.methods[0]!.name;
  const lines = [
    `# Method comparison: ${s.methods.length} methods on ${s.stats.images} images`,
    '',
    `Bradley–Terry scores in logits (a difference of 1 means the first is preferred 73% of the time), with ${(100 * s.bootstrap.level).toFixed(0)}% intervals from ${s.bootstrap.resamples} bootstrap resamples of the images (seed ${s.bootstrap.seed}).`,
    '',
    `| method | score | interval | wins | vs ${best} | ${METHOD_METRICS.map((m) => METRIC_LABEL[m]).join(' | ')} |`,
    `|---|--:|:-:|--:|--:|${METHOD_METRICS.map(() => '--:').join('|')}|`,
    ...s.methods.map((m) => {
      const vsBest = m.name === best ? '—' : percent(s.winMatrix[m.name]![best]!.rate);
      return `| ${m.name} | ${formatScore(m.score)} | [${formatScore(m.low)}, ${formatScore(m.high)}] | ${percent(m.winRate)} | ${vsBest} | ${METHOD_METRICS.map((metric) => fixed(m.metrics[metric], METRIC_DIGITS[metric])).join(' | ')} |`;
    }),
    '',
    '## Win rates',
    '',
    'The share of images on which the row’s method beats the column’s, by each image’s own order, with its Wilson interval and the number of images.',
    '',
    `| | ${s.methods.map((m) => m.name).join(' | ')} |`,
    `|---|${s.methods.map(() => ':-:').join('|')}|`,
    ...s.methods.map((row) => `| ${row.name} | ${s.methods.map((col) => (col.name === row.name ? '—' : winCell(s.winMatrix[row.name]![col.name]!))).join(' | ')} |`),
    '',
    '## The model and the metrics',
    '',
    `How often the output the model prefers also has the better value: ${METHOD_METRICS.map((m) => `${METRIC_LABEL[m]} ${percent(s.agreement[m])}`).join(', ')}.`,
    '',
  ];
  if (s.disagreements.length === 0) lines.push('No confident verdict of the model is contradicted by a metric.', '');
  else {
    lines.push(`${s.disagreements.length} confident verdicts that a metric contradicts, strongest first:`, '', '| image | preferred | over | confidence | metrics that say the opposite |', '|---|---|---|--:|---|');
    for (const d of s.disagreements.slice(0, 50)) {
      const against = Object.entries(d.metrics).map(([m, [a, b]]) => `${METRIC_LABEL[m as MethodMetric]} ${fixed(a, METRIC_DIGITS[m as MethodMetric])} vs ${fixed(b, METRIC_DIGITS[m as MethodMetric])}`).join('; ');
      lines.push(`| ${d.id} | ${d.better} | ${d.worse} | ${percent(d.confidence)} | ${against} |`);
    }
    if (s.disagreements.length > 50) lines.push('', `…and ${s.disagreements.length - 50} more in summary.json.`);
    lines.push('');
  }
  if (s.explanations.length > 0) {
    lines.push('## Why: the model’s reasons', '', `DepictQA’s Reasoning answers on the ${s.explanations.length} strongest disagreements, the preferred output shown as Image A.`, '');
    for (const e of s.explanations) {
      const said = e.prefers === null ? 'its verdict cannot be read' : e.prefers === e.better ? `it prefers ${e.better} again` : `this time it prefers ${e.worse}`;
      lines.push(`### ${e.id}: ${e.better} (A) over ${e.worse} (B), ${percent(e.confidence)}`, '', ...e.text.split('\n').map((line) => `> ${line}`), '', `In its reasoning ${said}.`, '');
    }
  }
  if (s.missing.length > 0) lines.push(`Missing outputs (left out of that method's pairs): ${s.missing.map((m) => `${m.method}/${m.id}`).join(', ')}.`, '');
  if (s.skipped.length > 0) lines.push('Skipped outputs:', '', ...s.skipped.map((k) => `- ${k.method}/${k.id}: ${k.reason}`), '');
  lines.push(
    `${s.stats.comparisons} comparisons (${s.pairs === 'allPairs' ? 'all pairs' : 'pairs chosen actively'}, both orders) of ${s.stats.pairs} pairs; ${s.stats.modelRuns} model runs, ${s.stats.visionRuns} of the vision encoder, ${s.stats.prefillTokens} tokens prefilled; ${(s.stats.elapsedMs / 1000).toFixed(1)} s of comparisons on ${s.device} (${s.variant}), ${s.shards} shard(s).`,
    '',
  );
  return lines.join('\n');
}

function winCell(cell: MethodsReport['winMatrix'][string][string]): string {
  return cell.rate === null ? '—' : `${percent(cell.rate)} [${percent(cell.low)}, ${percent(cell.high)}] n=${cell.n}`;
}

export function latexTable(s: MethodsReport): string {
  const best = s.methods[0]!.name;
  const tex = (text: string) => text.replace(/([\\&%$#_{}~^])/g, (c) => (c === '\\' ? '\\textbackslash{}' : c === '~' ? '\\textasciitilde{}' : c === '^' ? '\\textasciicircum{}' : `\\${c}`));
  const withMetrics = s.methods.some((m) => m.metrics.psnr !== null);
  const header = ['Method', 'Score', `Win rate vs.\\ ${tex(best)}`, ...(withMetrics ? ['PSNR', 'SSIM'] : [])];
  const rows = s.methods.map((m) => {
    const vsBest = m.name === best ? '---' : `${(100 * (s.winMatrix[m.name]![best]!.rate ?? NaN)).toFixed(0)}\\%`;
    const score = `$${formatScore(m.score)}_{[${formatScore(m.low)},\\,${formatScore(m.high)}]}$`;
    return [tex(m.name), score, vsBest, ...(withMetrics ? [fixed(m.metrics.psnr, 2), fixed(m.metrics.ssim, 4)] : [])].join(' & ');
  });
  return [
    `% ${s.methods.length} methods on ${s.stats.images} images; Bradley--Terry scores (logits) with ${(100 * s.bootstrap.level).toFixed(0)}\\% bootstrap intervals over images.`,
    `\\begin{tabular}{l${'r'.repeat(header.length - 1)}}`,
    '\\toprule',
    `${header.join(' & ')} \\\\`,
    '\\midrule',
    ...rows.map((row) => `${row} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    '',
  ].join('\n');
}

/** One row per id and compared output: its rank in the id's order (1 = best) and its metrics. */
export function imagesCsv(s: MethodsReport, metrics: OutputMetrics): string {
  const cell = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const lines = ['id,method,rank,psnr,ssim,msssim,gmsd'];
  for (const { id, order } of s.images) {
    order.forEach((method, k) => {
      const values = metrics[id]?.[method];
      lines.push([cell(id), cell(method), String(k + 1), ...METHOD_METRICS.map((m) => (values?.[m] ?? null) === null ? '' : String(values![m]))].join(','));
    });
  }
  return `${lines.join('\n')}\n`;
}

const escapeXml = (text: string) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** The win-rate matrix as a heat map: blue where the row's method wins, red where it loses. */
export function winRateSvg(s: MethodsReport): string {
  const names = s.methods.map((m) => m.name);
  const cell = 56;
  const left = 12 + 7 * Math.max(...names.map((n) => n.length));
  const top = left;
  const size = names.length * cell;
  const colour = (rate: number) => {
    const t = Math.max(-1, Math.min(1, 2 * rate - 1));
    const [r, g, b] = t >= 0 ? [255 - 200 * t, 255 - 120 * t, 255] : [255, 255 + 150 * t, 255 + 150 * t];
    return `rgb(${r.toFixed(0)},${g.toFixed(0)},${b.toFixed(0)})`;
  };
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${left + size + 8}" height="${top + size + 8}" font-family="sans-serif" font-size="12">`];
  names.forEach((name, k) => {
    parts.push(`<text x="${left - 6}" y="${top + k * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(name)}</text>`);
    parts.push(`<text transform="translate(${left + k * cell + cell / 2 + 4},${top - 6}) rotate(-90)">${escapeXml(name)}</text>`);
  });
  names.forEach((row, i) =>
    names.forEach((col, j) => {
      const x = left + j * cell;
      const y = top + i * cell;
      const rate = i === j ? null : s.winMatrix[row]![col]!.rate;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${rate === null ? '#eee' : colour(rate)}" stroke="#fff"/>`);
      if (rate !== null) parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle">${(100 * rate).toFixed(0)}%</text>`);
    }),
  );
  parts.push('</svg>', '');
  return parts.join('\n');
}

/** The scores with their intervals, best at the top. */
export function scoresSvg(s: MethodsReport): string {
  const row = 28;
  const left = 12 + 7 * Math.max(...s.methods.map((m) => m.name.length));
  const width = 360;
  const values = s.methods.flatMap((m) => [m.low, m.high, m.score]).filter(Number.isFinite);
  const [lo, hi] = [Math.min(...values, 0), Math.max(...values, 0)];
  const span = hi - lo || 1;
  const x = (v: number) => left + 10 + ((v - lo) / span) * (width - 20);
  const height = s.methods.length * row + 36;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 10}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<line x1="${x(0)}" y1="6" x2="${x(0)}" y2="${height - 26}" stroke="#bbb" stroke-dasharray="3,3"/>`,
  ];
  s.methods.forEach((m, k) => {
    const y = 18 + k * row;
    parts.push(`<text x="${left}" y="${y + 4}" text-anchor="end">${escapeXml(m.name)}</text>`);
    if (Number.isFinite(m.low) && Number.isFinite(m.high)) parts.push(`<line x1="${x(m.low)}" y1="${y}" x2="${x(m.high)}" y2="${y}" stroke="#345" stroke-width="2"/>`);
    parts.push(`<circle cx="${x(m.score)}" cy="${y}" r="4" fill="#1a5fb4"/>`);
  });
  parts.push(`<text x="${left + width / 2}" y="${height - 8}" text-anchor="middle">Bradley–Terry score (logits), ${(100 * s.bootstrap.level).toFixed(0)}% interval</text>`, '</svg>', '');
  return parts.join('\n');
}
