// Vega-lite specs for the notebook's plots (spec 7.4). Plain functions returning JSON; show them
// with viz.show(spec). Accuracies are plotted in %.
import type { VlSpec } from '../../viz/spec';
import { VEGA_LITE_SCHEMA } from '../../viz/spec';
import type { EpochRecord } from './strategies';
import type { Summary } from './experiments';
import { tableCurves, pixelMarks, codedImage, type PixelArray } from './visual';
import { bandGroups, type BandPattern } from './synthetic';

const pct = (v: number) => +(100 * v).toFixed(2);

/** 1. Test accuracy per epoch, one line per model (curves of the first seed), optional facet. */
export function trainingCurvesSpec(runs: { model: string; seed: number; curve: EpochRecord[]; panel?: string }[], title = 'Test accuracy during training'): VlSpec {
  const values = runs.flatMap((r) => r.curve.map((c) => ({ model: r.model, seed: r.seed, epoch: c.epoch, testAcc: pct(c.testAcc), trainLoss: c.trainLoss, panel: r.panel ?? '' })));
  const layer = {
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { values: [...new Set(values.map((v) => v.epoch))], format: 'd' } },
      y: { field: 'testAcc', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: false } },
      color: { field: 'model', type: 'nominal' },
      strokeDash: { field: 'seed', type: 'nominal' },
      tooltip: [{ field: 'model' }, { field: 'seed' }, { field: 'epoch' }, { field: 'testAcc' }, { field: 'trainLoss', format: '.3f' }],
    },
  };
  const hasPanels = runs.some((r) => r.panel);
  return hasPanels
    ? { $schema: VEGA_LITE_SCHEMA, title, data: { values }, facet: { field: 'panel', type: 'nominal', title: null }, spec: { width: 260, height: 200, ...layer }, resolve: { scale: { y: 'independent' } } }
    : { $schema: VEGA_LITE_SCHEMA, title, data: { values }, width: 420, height: 240, ...layer };
}

/** 2. Accuracy vs vector dimension u: mean point with min-max error bar per u, standard as rule + band. */
export function dimSweepSpec(summary: Summary[], title = 'Accuracy vs vector dimension u'): VlSpec {
  const std = summary.find((s) => s.model === 'Standard');
  const values = summary.filter((s) => s.model !== 'Standard').map((s) => ({ u: s.model.replace('Dim ', ''), mean: pct(s.mean), min: pct(s.min), max: pct(s.max), n: s.n }));
  const layers: object[] = [];
  if (std) {
    layers.push({ data: { values: [{ lo: pct(std.min), hi: pct(std.max) }] }, mark: { type: 'rect', opacity: 0.15, color: 'gray' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } });
    layers.push({ data: { values: [{ v: pct(std.mean), label: 'Standard' }] }, mark: { type: 'rule', strokeDash: [6, 4], color: 'gray' }, encoding: { y: { field: 'v', type: 'quantitative' } } });
  }
  layers.push({ mark: { type: 'errorbar', ticks: true }, encoding: { x: { field: 'u', type: 'ordinal', sort: null, title: 'vector dimension u' }, y: { field: 'min', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: false } }, y2: { field: 'max' } } });
  layers.push({ mark: { type: 'point', filled: true, size: 80 }, encoding: { x: { field: 'u', type: 'ordinal', sort: null }, y: { field: 'mean', type: 'quantitative' }, tooltip: [{ field: 'u' }, { field: 'mean' }, { field: 'min' }, { field: 'max' }, { field: 'n', title: 'seeds' }] } });
  return { $schema: VEGA_LITE_SCHEMA, title: { text: title, subtitle: 'points: mean over seeds, bars: min-max; dashed line + band: standard network' }, width: 360, height: 240, data: { values }, layer: layers };
}

export interface CmpSeries { dataset: string; summary: Summary[]; standard: Summary; chance: number; designedThreshold?: number; cost: Record<number, { K: number; bits: number; nominal: number; exact: number }> }

/** 3. Accuracy vs CMP-rate c per data set, with standard and chance rules and the designed threshold. */
export function cmpSweepSpec(series: CmpSeries[], title = 'Accuracy vs CMP-rate c'): VlSpec {
  const values = series.flatMap((s) => s.summary.map((r) => {
    const c = Number(r.model.replace('CMP ', ''));
    const k = s.cost[c];
    return { dataset: s.dataset, c, mean: pct(r.mean), min: pct(r.min), max: pct(r.max), K: k?.K, bits: k?.bits, nominal: k?.nominal, exact: k ? +k.exact.toFixed(1) : null };
  }));
  const rules = series.flatMap((s) => [{ dataset: s.dataset, kind: 'standard', v: pct(s.standard.mean) }, { dataset: s.dataset, kind: 'chance', v: pct(s.chance) }]);
  const thresholds = series.filter((s) => s.designedThreshold).map((s) => ({ dataset: s.dataset, c: s.designedThreshold }));
  const x = { field: 'c', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'CMP-rate c (log2 scale)', axis: { values: [1, 2, 4, 8, 16, 32, 64, 128, 256] } };
  return {
    $schema: VEGA_LITE_SCHEMA, title: { text: title, subtitle: 'dashed: standard network; dotted: chance; vertical: designed threshold c = w' }, width: 440, height: 260,
    layer: [
      { data: { values }, mark: { type: 'errorbar' }, encoding: { x, y: { field: 'min', type: 'quantitative', title: 'test accuracy (%)' }, y2: { field: 'max' }, color: { field: 'dataset', type: 'nominal' } } },
      { data: { values }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color: { field: 'dataset', type: 'nominal' },
        tooltip: [{ field: 'dataset' }, { field: 'c' }, { field: 'K', title: 'entries K' }, { field: 'bits', title: 'bits/pixel' }, { field: 'nominal', title: 'nominal c^3' }, { field: 'exact', title: 'exact (256/K)^3' }, { field: 'mean' }] } },
      { data: { values: rules }, mark: { type: 'rule' }, encoding: { y: { field: 'v', type: 'quantitative' }, color: { field: 'dataset', type: 'nominal' }, strokeDash: { field: 'kind', type: 'nominal', scale: { domain: ['standard', 'chance'], range: [[6, 4], [2, 2]] }, title: 'reference' } } },
      ...(thresholds.length ? [{ data: { values: thresholds }, mark: { type: 'rule', color: 'black', opacity: 0.5 }, encoding: { x: { field: 'c', type: 'quantitative' } } }] : []),
    ],
  };
}

/** 4. Strategies: grouped bars (x = network/task, colour = strategy), mean with min-max error bars. */
export function strategiesSpec(summary: (Summary & { strategy: string; network: string; task: string })[], title = 'Table-learning strategies'): VlSpec {
  const values = summary.map((s) => ({ group: `${s.network} / ${s.task}`, strategy: s.strategy, mean: pct(s.mean), min: pct(s.min), max: pct(s.max), n: s.n }));
  return {
    $schema: VEGA_LITE_SCHEMA, title: { text: title, subtitle: 'bars: mean over seeds; error bars: min-max' }, data: { values },
    facet: { column: { field: 'group', type: 'nominal', title: null, header: { labelAngle: 0, labelLimit: 200 } } },
    spec: {
      width: 130, height: 220,
      layer: [
        { mark: 'bar', encoding: { x: { field: 'strategy', type: 'nominal', axis: { labelAngle: -40 }, title: null }, y: { field: 'mean', type: 'quantitative', title: 'test accuracy (%)' }, color: { field: 'strategy', type: 'nominal' }, tooltip: [{ field: 'strategy' }, { field: 'mean' }, { field: 'min' }, { field: 'max' }, { field: 'n', title: 'seeds' }] } },
        { mark: { type: 'errorbar', ticks: true }, encoding: { x: { field: 'strategy', type: 'nominal' }, y: { field: 'min', type: 'quantitative', title: 'test accuracy (%)' }, y2: { field: 'max' } } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
}

/** 5. Learned tables as functions of the intensity (step lines for compressed tables), one panel per model. */
export function tableCurvesSpec(models: { model: string; table: number[][][]; cmpRate: number; dims?: number[] }[], opts: { bands?: { width: number; pattern?: BandPattern }; title?: string } = {}): VlSpec {
  const values = models.flatMap((m) => tableCurves(m.table, m.cmpRate, m.dims ?? [0]).map((r) => ({ ...r, model: m.model, series: `${r.channel}${(m.dims ?? [0]).length > 1 ? ` d${r.dim}` : ''}` })));
  const colors = { domain: ['R', 'G', 'B', 'gray'], range: ['#d62728', '#2ca02c', '#1f77b4', '#555555'] };
  const layer: object[] = [];
  if (opts.bands) {
    const { signal } = bandGroups(opts.bands.width, opts.bands.pattern ?? 'thueMorse');
    layer.push({ data: { values: signal.map((b) => ({ lo: b * opts.bands!.width, hi: (b + 1) * opts.bands!.width - 1 })) }, mark: { type: 'rect', color: '#f2c744', opacity: 0.25 }, encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } });
  }
  layer.push({
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'intensity', type: 'quantitative', title: 'input intensity v', scale: { domain: [0, 255] } },
      y: { field: 'value', type: 'quantitative', title: 'table value T[q(v)]' },
      color: { field: 'channel', type: 'nominal', scale: colors },
      detail: { field: 'series', type: 'nominal' },
      tooltip: [{ field: 'channel' }, { field: 'intensity' }, { field: 'entry' }, { field: 'value', format: '.3f' }],
    },
  });
  return {
    $schema: VEGA_LITE_SCHEMA, title: { text: opts.title ?? 'Learned lookup tables', subtitle: opts.bands ? 'shaded: signal bands S of ColorBandShapes' : '' },
    data: { values }, facet: { field: 'model', type: 'nominal', columns: 3, title: null }, spec: { width: 220, height: 160, layer }, resolve: { scale: { y: 'independent' } },
  };
}

/** 6. Image grid: rows of re-coloured images (Fig. 16 analogue), one rect per pixel. */
export function codedGridSpec(x: PixelArray, rows: { label: string; table: number[][][] | null; cmpRate: number }[], indices: number[], title = 'Images seen through the learned code'): VlSpec {
  const values = rows.flatMap((r) => {
    const img = r.table ? { images: codedImage(x, r.table, r.cmpRate), shape: x.shape } : x;
    return pixelMarks(img, r.label, indices);
  });
  const [, H, W] = x.shape;
  const cell = 4;
  return {
    $schema: VEGA_LITE_SCHEMA, title, data: { values },
    facet: {
      row: { field: 'row', type: 'nominal', sort: rows.map((r) => r.label), title: null, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 160 } },
      column: { field: 'image', type: 'ordinal', title: null },
    },
    spec: {
      width: W * cell, height: H * cell,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'x', type: 'ordinal', axis: null }, y: { field: 'y', type: 'ordinal', axis: null },
        color: { field: 'hex', type: 'nominal', scale: null, legend: null },
      },
    },
    spacing: 2, config: { view: { stroke: null } },
  };
}

/** 7. Storage: bits per pixel and log10 of the exact colour-space compression per c. */
export function storageSpec(rows: { c: number; bitsPerPixel: number; log10Exact: number; exactCompression: number; nominalCompression: number }[], title = 'Storage of a compressed pixel'): VlSpec {
  const values = rows.map((r) => ({ ...r, c: String(r.c), paper: r.c === 16 ? 'paper example: 24 -> 12 bits' : 'other' }));
  const x = { field: 'c', type: 'ordinal', sort: null, title: 'CMP-rate c' };
  return {
    $schema: VEGA_LITE_SCHEMA, title, data: { values },
    hconcat: [
      { width: 300, height: 200, mark: 'bar', encoding: { x, y: { field: 'bitsPerPixel', type: 'quantitative', title: 'bits per RGB pixel' }, color: { field: 'paper', type: 'nominal', scale: { domain: ['paper example: 24 -> 12 bits', 'other'], range: ['#e45756', '#4c78a8'] }, title: null }, tooltip: [{ field: 'c' }, { field: 'bitsPerPixel' }] } },
      { width: 300, height: 200, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'log10Exact', type: 'quantitative', title: 'log10 colour-space compression (exact)' }, tooltip: [{ field: 'c' }, { field: 'nominalCompression', title: 'nominal c^3' }, { field: 'exactCompression', title: 'exact', format: '.1f' }] } },
    ],
  };
}
