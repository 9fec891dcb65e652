// Heatmaps of matrices (similarity, correlation, attention) and confusion matrices.
import { confusionMatrix as confusionMatrixCounts } from '../metrics/classification';
import { BaseOptions, baseSpec, toMatrix, VlSpec } from './spec';

type MatrixInput = ArrayLike<ArrayLike<number>> | { arraySync(): unknown; shape: number[] };

export interface HeatmapOptions extends BaseOptions {
  rowLabels?: string[];
  colLabels?: string[];
  xTitle?: string;
  yTitle?: string;
  /** Vega colour scheme, e.g. 'viridis', 'blues', 'redblue' (default 'viridis'). */
  scheme?: string;
  /** Fixed colour domain, e.g. [-1, 1] for correlations (default: data range). */
  domain?: [number, number];
  /** Write each value in its cell with this d3 format (default: on for <= 20x20, '.2f'). */
  annotate?: boolean | string;
  /** Cell size in pixels when width/height are not given (default 24). */
  cell?: number;
}

function labels(given: string[] | undefined, n: number, what: string): string[] {
  if (!given) return Array.from({ length: n }, (_, i) => String(i));
  if (given.length !== n) throw new Error(`viz.heatmap: ${what} has ${given.length} labels for ${n} ${what === 'rowLabels' ? 'rows' : 'columns'}`);
  return given.map(String);
}

/** Heatmap of a matrix (nested arrays or a 2-D tensor); row i is drawn as the i-th row from the top. */
export function heatmap(matrix: MatrixInput, opts: HeatmapOptions = {}): VlSpec {
  const m = toMatrix(matrix, 'viz.heatmap');
  const rl = labels(opts.rowLabels, m.length, 'rowLabels');
  const cl = labels(opts.colLabels, m[0].length, 'colLabels');
  const values: { row: string; col: string; value: number; i: number; j: number }[] = [];
  m.forEach((r, i) => r.forEach((v, j) => values.push({ row: rl[i], col: cl[j], value: v, i, j })));
  const annotate = opts.annotate ?? (m.length <= 20 && m[0].length <= 20);
  const cell = opts.cell ?? (annotate ? 36 : 24);
  const spec = baseSpec(opts, values, { width: Math.max(80, cell * cl.length), height: Math.max(80, cell * rl.length) });
  const colorScale: { [k: string]: unknown } = { scheme: opts.scheme ?? 'viridis' };
  if (opts.domain) colorScale.domain = opts.domain;
  const shortLabels = cl.every((l) => l.length <= 3);
  const x = { field: 'col', type: 'ordinal', sort: cl, title: opts.xTitle ?? null, axis: shortLabels ? { labelAngle: 0 } : { labelAngle: -45 } };
  const y = { field: 'row', type: 'ordinal', sort: rl, title: opts.yTitle ?? null };
  const layers: VlSpec[] = [{
    mark: { type: 'rect' },
    encoding: {
      x, y, color: { field: 'value', type: 'quantitative', scale: colorScale, title: null },
      tooltip: [{ field: 'row' }, { field: 'col' }, { field: 'value', format: '.4g' }],
    },
  }];
  if (annotate) {
    // Text colour flips on the darker half of the colour range so numbers stay readable.
    const vals = values.map((v) => v.value).filter(Number.isFinite);
    const [lo, hi] = opts.domain ?? [Math.min(...vals), Math.max(...vals)];
    const mid = (lo + hi) / 2;
    const dark = (opts.scheme ?? 'viridis') === 'viridis' ? `datum.value < ${mid}` : `datum.value > ${mid}`;
    layers.push({
      mark: { type: 'text', fontSize: 10 },
      encoding: {
        x, y,
        text: { field: 'value', type: 'quantitative', format: typeof annotate === 'string' ? annotate : '.2f' },
        color: { condition: { test: dark, value: 'white' }, value: 'black' },
      },
    });
  }
  spec.layer = layers;
  return spec;
}

export interface ConfusionOptions extends BaseOptions {
  classNames?: string[];
  /** 'true' = each row (true class) sums to 1 (recall per class); 'none' = counts (default 'true'). */
  normalize?: 'true' | 'pred' | 'none';
  annotate?: boolean | string;
}

/**
 * Confusion matrix heatmap: rows = true class, columns = predicted class.
 * Pass a count matrix, or `{yTrue, yPred, numClasses}`.
 */
export function confusionMatrix(
  input: MatrixInput | { yTrue: ArrayLike<number>; yPred: ArrayLike<number>; numClasses: number },
  opts: ConfusionOptions = {},
): VlSpec {
  const counts = 'yTrue' in (input as object)
    ? (() => { const i = input as { yTrue: ArrayLike<number>; yPred: ArrayLike<number>; numClasses: number }; return confusionMatrixCounts(i.yPred, i.yTrue, i.numClasses).rows; })()
    : toMatrix(input as MatrixInput, 'viz.confusionMatrix');
  if (counts.length !== counts[0].length) throw new Error(`viz.confusionMatrix: matrix must be square, got ${counts.length}x${counts[0].length}`);
  const norm = opts.normalize ?? 'true';
  let m = counts;
  if (norm === 'true') m = counts.map((r) => { const s = r.reduce((a, b) => a + b, 0); return r.map((v) => (s > 0 ? v / s : 0)); });
  if (norm === 'pred') {
    const colSum = counts[0].map((_, j) => counts.reduce((a, r) => a + r[j], 0));
    m = counts.map((r) => r.map((v, j) => (colSum[j] > 0 ? v / colSum[j] : 0)));
  }
  return heatmap(m, {
    title: opts.title ?? 'confusion matrix', width: opts.width, height: opts.height,
    rowLabels: opts.classNames, colLabels: opts.classNames, xTitle: 'predicted', yTitle: 'true',
    scheme: 'blues', domain: norm === 'none' ? undefined : [0, 1],
    annotate: opts.annotate ?? (counts.length <= 20 ? (norm === 'none' ? 'd' : '.2f') : false),
  });
}
