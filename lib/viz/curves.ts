// Line charts for training curves: several series (train/test, per model), optional EMA smoothing,
// per-seed runs aggregated to a mean line with a ±std (or min-max) band, optional panels (facets)
// such as loss | accuracy with independent y scales.
import { BaseOptions, baseSpec, VEGA_LITE_SCHEMA, VlSpec } from './spec';
import { ema, meanStd } from './stats';

export interface CurvePoint {
  x: number;
  y: number;
  /** Line identity, e.g. 'train', 'test', 'resnet-18'. Default 'value'. */
  series?: string;
  /** Seed / run id: points of one series with several seeds are averaged into a mean + band. */
  seed?: number | string;
  /** Panel (facet column), e.g. 'loss' or 'accuracy'. */
  panel?: string;
}

export interface CurveOptions extends BaseOptions {
  xTitle?: string;
  yTitle?: string;
  /** EMA weight in [0, 1) applied per series and seed before aggregation (0/undefined = off). */
  smooth?: number;
  /** With smoothing, also draw the raw curve faintly (default true). */
  showRaw?: boolean;
  /** Band around the mean over seeds: 'std' (mean ± std, default), 'minmax', or 'none'. */
  band?: 'std' | 'minmax' | 'none';
  /** Also draw each seed's curve faintly (default false). */
  showSeeds?: boolean;
  /** Log-scale y axis. */
  logY?: boolean;
  /** Fixed y domain, e.g. [0, 1] for accuracy. */
  yDomain?: [number, number];
  /** Draw points on the line (default: only when a series has <= 30 points). */
  points?: boolean;
}

type CurveInput = CurvePoint[] | { [series: string]: ArrayLike<number> };

/** Normalise the record form `{train: [..], test: [..]}` (x = 1, 2, ...) to points. */
export function toCurvePoints(data: CurveInput): CurvePoint[] {
  if (Array.isArray(data)) return data;
  if (!data || typeof data !== 'object') throw new Error('viz.curves: data must be an array of {x, y} points or {series: number[]}');
  const pts: CurvePoint[] = [];
  for (const [series, ys] of Object.entries(data)) {
    if (!ys || typeof ys.length !== 'number') throw new Error(`viz.curves: series '${series}' is not an array of numbers`);
    for (let i = 0; i < ys.length; i++) pts.push({ x: i + 1, y: ys[i], series });
  }
  return pts;
}

interface Row { x: number; y: number; series: string; panel: string; seed: string; kind: string; lo?: number; hi?: number }

function groupBy<T>(xs: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x); else m.set(k, [x]);
  }
  return m;
}

/** Build the tidy rows the spec plots: raw / smoothed per seed, then mean + band per series. */
export function curveRows(data: CurveInput, opts: CurveOptions = {}): Row[] {
  const pts = toCurvePoints(data);
  pts.forEach((p, i) => {
    if (typeof p.x !== 'number' || typeof p.y !== 'number') throw new Error(`viz.curves: point ${i} needs numeric x and y, got ${JSON.stringify(p)}`);
  });
  const rows: Row[] = [];
  const smooth = opts.smooth ?? 0;
  const perRun = groupBy(pts, (p) => JSON.stringify([p.panel ?? '', p.series ?? 'value', p.seed ?? '']));
  const runs: Row[][] = [];
  for (const run of perRun.values()) {
    run.sort((a, b) => a.x - b.x);
    const base = { series: run[0].series ?? 'value', panel: run[0].panel ?? '', seed: String(run[0].seed ?? '') };
    const ys = run.map((p) => p.y);
    const sm = smooth > 0 ? ema(ys, smooth) : ys;
    if (smooth > 0 && opts.showRaw !== false) run.forEach((p) => rows.push({ ...base, x: p.x, y: p.y, kind: 'raw' }));
    runs.push(run.map((p, i) => ({ ...base, x: p.x, y: sm[i], kind: 'line' })));
  }
  const bySeries = groupBy(runs.flat(), (r) => JSON.stringify([r.panel, r.series]));
  for (const rs of bySeries.values()) {
    const seeds = new Set(rs.map((r) => r.seed));
    if (seeds.size <= 1) { rows.push(...rs); continue; }
    if (opts.showSeeds) rs.forEach((r) => rows.push({ ...r, kind: 'seed' }));
    for (const [, at] of [...groupBy(rs, (r) => String(r.x)).entries()].sort((a, b) => a[1][0].x - b[1][0].x)) {
      const s = meanStd(at.map((r) => r.y));
      const band = opts.band ?? 'std';
      const row: Row = { x: at[0].x, y: s.mean, series: at[0].series, panel: at[0].panel, seed: 'mean', kind: 'line' };
      if (band === 'std') { row.lo = s.mean - s.std; row.hi = s.mean + s.std; }
      if (band === 'minmax') { row.lo = s.min; row.hi = s.max; }
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Line chart of one or more curves.
 *   curves({train: trainLoss, test: testLoss}, {title: 'loss', smooth: 0.6})
 *   curves(points, {yTitle: 'accuracy', band: 'std'})   // points: {x, y, series?, seed?, panel?}[]
 */
export function curves(data: CurveInput, opts: CurveOptions = {}): VlSpec {
  const rows = curveRows(data, opts);
  const panels = new Set(rows.map((r) => r.panel));
  const nMax = Math.max(0, ...[...groupBy(rows.filter((r) => r.kind === 'line'), (r) => r.series + '|' + r.seed + '|' + r.panel).values()].map((g) => g.length));
  const showPoints = opts.points ?? nMax <= 30;
  const intX = rows.every((r) => Number.isInteger(r.x));
  const x = { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'step', axis: intX ? { format: 'd', tickMinStep: 1 } : {} };
  const yScale: { [k: string]: unknown } = { zero: false };
  if (opts.logY) yScale.type = 'log';
  if (opts.yDomain) yScale.domain = opts.yDomain;
  // With panels the facet header names the quantity; a repeated 'value' axis title is noise.
  const y = { field: 'y', type: 'quantitative', title: opts.yTitle ?? (panels.size > 1 ? null : 'value'), scale: yScale };
  const color = { field: 'series', type: 'nominal', title: null };
  const layers: VlSpec[] = [];
  if (rows.some((r) => r.lo !== undefined)) {
    layers.push({
      transform: [{ filter: "datum.kind === 'line' && isValid(datum.lo)" }],
      mark: { type: 'area', opacity: 0.2 },
      encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale, title: y.title }, y2: { field: 'hi' }, color },
    });
  }
  for (const kind of ['raw', 'seed']) {
    if (rows.some((r) => r.kind === kind)) {
      layers.push({
        transform: [{ filter: `datum.kind === '${kind}'` }],
        mark: { type: 'line', opacity: 0.25, strokeWidth: 1 },
        encoding: { x, y, color, detail: { field: 'seed', type: 'nominal' } },
      });
    }
  }
  layers.push({
    transform: [{ filter: "datum.kind === 'line'" }],
    mark: { type: 'line', point: showPoints, strokeWidth: 2 },
    encoding: {
      x, y, color, detail: { field: 'seed', type: 'nominal' },
      tooltip: [{ field: 'series' }, { field: 'x', title: x.title }, { field: 'y', title: y.title, format: '.4g' }],
    },
  });
  if (panels.size > 1) {
    const spec: VlSpec = { $schema: VEGA_LITE_SCHEMA, data: { values: rows } };
    if (opts.title) spec.title = opts.title;
    spec.facet = { column: { field: 'panel', type: 'nominal', title: null } };
    spec.spec = { width: opts.width ?? 260, height: opts.height ?? 200, layer: layers };
    spec.resolve = { scale: { y: 'independent' } };
    spec.config = LEGEND_CONFIG;
    return spec;
  }
  const spec = baseSpec(opts, rows, { width: 420, height: 240 });
  spec.layer = layers;
  spec.config = LEGEND_CONFIG;
  return spec;
}

// Legend swatches otherwise inherit the faint raw/band layers' opacity.
const LEGEND_CONFIG = { legend: { symbolOpacity: 1, symbolType: 'stroke' } };

export interface HistoryOptions {
  /** Field holding the x value (default 'epoch'). */
  x?: string;
  /** Fields to plot (default: every numeric field except x and `exclude`). Nested objects are
   *  flattened one level as 'parent.child' (e.g. lib/train's `eval: {acc}` -> 'eval.acc'). */
  keys?: string[];
  /** Fields left out by default (default ['step', 'lr', 'timeMs']: bookkeeping, not curves). */
  exclude?: string[];
  /** Legend label per field, e.g. {trainLoss: 'train'} (default: the field name). */
  labels?: Record<string, string>;
  /** Panel per field, e.g. {trainLoss: 'loss', testAcc: 'accuracy'} (default: one panel). */
  panels?: Record<string, string>;
  /** Seed / run id stamped on every point (to concatenate several runs' histories). */
  seed?: number | string;
}

/** One level of flattening: {metrics: {trainAcc: 1}} -> {'metrics.trainAcc': 1}. */
function flatRow(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = v2;
    else out[k] = v;
  }
  return out;
}

/**
 * Training history rows (`[{epoch: 1, trainLoss: 0.6, testAcc: 0.81}, ...]`) to curve points.
 *   curves(historyPoints(h, {labels: {trainLoss: 'train', testLoss: 'test'},
 *                            panels: {trainLoss: 'loss', testLoss: 'loss', testAcc: 'accuracy'}}))
 */
export function historyPoints(rows: object[], opts: HistoryOptions = {}): CurvePoint[] {
  const xKey = opts.x ?? 'epoch';
  const flat = rows.map((r) => flatRow(r as Record<string, unknown>));
  const exclude = new Set([xKey, ...(opts.exclude ?? ['step', 'lr', 'timeMs'])]);
  const keys = opts.keys ?? [...new Set(flat.flatMap((r) => Object.keys(r).filter((k) => !exclude.has(k) && typeof r[k] === 'number')))];
  const pts: CurvePoint[] = [];
  flat.forEach((r, i) => {
    const x = r[xKey];
    if (typeof x !== 'number') throw new Error(`viz.historyPoints: row ${i} has no numeric '${xKey}' (x field)`);
    for (const k of keys) {
      const y = r[k];
      if (typeof y !== 'number') continue; // e.g. eval metrics logged every few epochs only
      const p: CurvePoint = { x, y, series: opts.labels?.[k] ?? k };
      if (opts.panels?.[k] !== undefined) p.panel = opts.panels[k];
      if (opts.seed !== undefined) p.seed = opts.seed;
      pts.push(p);
    }
  });
  return pts;
}

/**
 * Training curves straight from history rows (lib/train's EpochRecord[] or any {epoch, ...} rows):
 * fields with 'loss' in the name go to a 'loss' panel, 'acc' to an 'accuracy' panel, the rest to
 * 'other'. Made for `fit({..., chart: viz.liveChart(viz.trainingCurves)})`.
 */
export function trainingCurves(history: object[], opts: CurveOptions & { x?: string } = {}): VlSpec {
  const flatKeys = [...new Set(history.flatMap((r) => Object.keys(flatRow(r as Record<string, unknown>))))];
  const panels: Record<string, string> = {};
  const labels: Record<string, string> = {};
  for (const k of flatKeys) {
    panels[k] = /loss/i.test(k) ? 'loss' : /acc/i.test(k) ? 'accuracy' : 'other';
    labels[k] = k.replace(/^metrics\./, '').replace(/\./g, ' '); // 'metrics.trainAcc' -> 'trainAcc', 'eval.acc' -> 'eval acc'
  }
  return curves(historyPoints(history, { x: opts.x, panels, labels }), { xTitle: opts.x ?? 'epoch', ...opts });
}
