// Vega-lite specs for notebook 08 that lib/viz has no builder for: detections drawn on images (image
// mark + rect marks, thesis Fig. 6-6), grouped AP bars with bootstrap interval whiskers (Table 6-II),
// and the switch-map scatter with a regression line (Fig. 6-8).
import { encodePNG, pngDataURL } from '../../viz/png';
import { VEGA_LITE_SCHEMA, type VlSpec } from '../../viz/spec';
import type { Detections } from './detector';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

function toPng(pixels: ArrayLike<number>, size: number, scale: number): string {
  const u8 = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) u8[i] = Math.max(0, Math.min(255, Math.round(pixels[i] * 255)));
  return pngDataURL(encodePNG(u8, size, size, 3, scale));
}

export interface PanelColumn { title: string; dets: (Detections | { boxes: ArrayLike<number>; labels: ArrayLike<number>; scores?: ArrayLike<number> })[] }

/**
 * Rows = images, columns = GT and each model; boxes coloured by class, detections with score >= scoreThr.
 * `images[i]` is HWC float in [0, 1] of side `size`.
 */
export function detectionPanels(images: ArrayLike<number>[], columns: PanelColumn[], classes: string[], size: number, o: { scoreThr?: number; cell?: number; title?: string; pngScale?: number } = {}): VlSpec {
  // PNGs at native size by default (the image mark scales them up): keeps notebook outputs small.
  const cell = o.cell ?? 128, scale = o.pngScale ?? 1, k = cell / size, gap = 8, head = 18;
  const thr = o.scoreThr ?? 0.5;
  const W = columns.length * (cell + gap), H = images.length * (cell + gap) + head;
  const imgs: object[] = [], rects: object[] = [], titles: object[] = [];
  columns.forEach((col, c) => {
    titles.push({ x: c * (cell + gap) + cell / 2, y: 4, text: col.title });
    images.forEach((px, r) => {
      const x0 = c * (cell + gap), y0 = head + r * (cell + gap);
      imgs.push({ x: x0 + cell / 2, y: y0 + cell / 2, url: toPng(px, size, scale) });
      const d = col.dets[r];
      const n = d.labels.length;
      for (let i = 0; i < n; i++) {
        const s = d.scores ? d.scores[i] : 1;
        if (s < thr) continue;
        const b = [0, 1, 2, 3].map((j) => d.boxes[4 * i + j]);
        rects.push({ x: x0 + b[0] * k, x2: x0 + b[2] * k, y: y0 + b[1] * k, y2: y0 + b[3] * k, cls: classes[d.labels[i]] ?? String(d.labels[i]), score: +s.toFixed(2) });
      }
    });
  });
  const xs = { type: 'quantitative', axis: null, scale: { domain: [0, W] } };
  const ys = { type: 'quantitative', axis: null, scale: { domain: [0, H], reverse: true } };
  const spec: VlSpec = {
    $schema: VEGA_LITE_SCHEMA, width: W, height: H, config: { view: { stroke: null } },
    layer: [
      { data: { values: imgs }, mark: { type: 'image', width: cell, height: cell }, encoding: { x: { field: 'x', ...xs }, y: { field: 'y', ...ys }, url: { field: 'url', type: 'nominal' } } },
      {
        data: { values: rects }, mark: { type: 'rect', filled: false, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'x', ...xs }, x2: { field: 'x2' }, y: { field: 'y', ...ys }, y2: { field: 'y2' },
          stroke: { field: 'cls', type: 'nominal', scale: { domain: classes, range: PALETTE.slice(0, classes.length) }, title: 'class' },
          tooltip: [{ field: 'cls' }, { field: 'score' }],
        },
      },
      { data: { values: titles }, mark: { type: 'text', baseline: 'top', fontSize: 11 }, encoding: { x: { field: 'x', ...xs }, y: { field: 'y', ...ys }, text: { field: 'text' } } },
    ],
  };
  if (o.title) spec.title = o.title;
  return spec;
}

export interface IntervalRow { metric: string; model: string; value: number; lo: number; hi: number }

/** Grouped bars (x = metric, colour = model) with whiskers from lo to hi (bootstrap interval). */
export function intervalBars(rows: IntervalRow[], o: { title?: string; yTitle?: string; width?: number } = {}): VlSpec {
  const models = [...new Set(rows.map((r) => r.model))];
  return {
    $schema: VEGA_LITE_SCHEMA, title: o.title, width: o.width ?? 480, height: 220, data: { values: rows },
    encoding: {
      x: { field: 'metric', type: 'nominal', sort: null, title: null },
      xOffset: { field: 'model', type: 'nominal', sort: models },
      color: { field: 'model', type: 'nominal', sort: models, title: 'model' },
    },
    layer: [
      { mark: 'bar', encoding: { y: { field: 'value', type: 'quantitative', title: o.yTitle ?? 'value' } } },
      { mark: { type: 'rule', color: '#333' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { value: '#333' } } },
    ],
  };
}

/** Scatter of y vs x coloured by `series`, with a least-squares line per series. */
export function scatterWithFit(rows: { x: number; y: number; series: string }[], o: { title?: string; xTitle?: string; yTitle?: string; logX?: boolean } = {}): VlSpec {
  const xEnc = { field: 'x', type: 'quantitative', title: o.xTitle ?? 'x', scale: o.logX ? { type: 'log' } : { zero: false } };
  return {
    $schema: VEGA_LITE_SCHEMA, title: o.title, width: 360, height: 240, data: { values: rows },
    layer: [
      { mark: { type: 'point', opacity: 0.4, size: 14 }, encoding: { x: xEnc, y: { field: 'y', type: 'quantitative', title: o.yTitle ?? 'y' }, color: { field: 'series', type: 'nominal' } } },
      { transform: [{ regression: 'y', on: 'x', groupby: ['series'] }], mark: { type: 'line', strokeWidth: 2 }, encoding: { x: xEnc, y: { field: 'y', type: 'quantitative' }, color: { field: 'series', type: 'nominal' } } },
    ],
  };
}
