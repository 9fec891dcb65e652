// Vega-lite specs specific to chapter 3 (spec §7.3 plots 6, 7): decision maps of the toy views and
// image rasters of adversarial examples. Generic curves/bars come from lib/viz.
import type { VlSpec } from '../../viz/spec';
import { VEGA_LITE_SCHEMA } from '../../viz/spec';
import type { ToyMetrics } from './experiments';

/** Plot 7: p_view(class 1) on the grid as rect heatmaps, points on top; column = variant, row = view. */
export function toyBoundaries(m: ToyMetrics, o: { cell?: number } = {}): VlSpec {
  const g = m.grid.xs.length, step = m.grid.xs[1] - m.grid.xs[0];
  const rows: object[] = [];
  for (const v of m.variants) {
    v.prob1.forEach((p, view) => {
      for (let i = 0; i < g; i++) for (let j = 0; j < g; j++) {
        rows.push({ kind: 'grid', variant: v.variant, view: `view ${view + 1}`, x: m.grid.xs[j], y: m.grid.ys[i], x2: m.grid.xs[j] + step, y2: m.grid.ys[i] + step, p: p[i * g + j] });
      }
      for (const pt of m.points) rows.push({ kind: pt.labelled ? 'labelled' : 'unlabelled', variant: v.variant, view: `view ${view + 1}`, x: pt.x, y: pt.y, label: String(pt.label) });
    });
  }
  const cell = o.cell ?? 180;
  return {
    $schema: VEGA_LITE_SCHEMA, title: 'Two moons, 6 labels: p(class 1) per view', data: { values: rows },
    facet: { column: { field: 'variant', type: 'nominal', sort: m.variants.map((v) => v.variant) }, row: { field: 'view', type: 'nominal' } },
    spec: {
      width: cell, height: cell,
      layer: [
        { transform: [{ filter: "datum.kind === 'grid'" }], mark: { type: 'rect' },
          encoding: { x: { field: 'x', type: 'quantitative', scale: { domain: [-2.5, 2.5] }, title: null }, x2: { field: 'x2' }, y: { field: 'y', type: 'quantitative', scale: { domain: [-2.5, 2.5] }, title: null }, y2: { field: 'y2' },
            color: { field: 'p', type: 'quantitative', scale: { scheme: 'redblue', domain: [0, 1] }, title: 'p(class 1)' } } },
        { transform: [{ filter: "datum.kind === 'unlabelled'" }], mark: { type: 'point', size: 6, filled: true, opacity: 0.5, color: '#333' },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
        { transform: [{ filter: "datum.kind === 'labelled'" }], mark: { type: 'point', size: 160, filled: true, stroke: 'black', strokeWidth: 1.5 },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, shape: { field: 'label', type: 'nominal', title: 'labelled class' }, fill: { value: 'yellow' } } },
      ],
    },
  };
}

/** Plot 6: rows = test images; columns = clean, g1(x), g2(x), sign perturbation of view 1. */
export function adversarialGrid(items: { clean: number[]; g1: number[]; g2: number[]; label: number; p1: number[]; p2: number[] }[], side: number, classNames: string[]): VlSpec {
  const rows: object[] = [];
  const argmax = (p: number[]) => p.indexOf(Math.max(...p));
  items.forEach((it, r) => {
    const title = `#${r} ${classNames[it.label]}: p1=${classNames[argmax(it.p1)]} p2=${classNames[argmax(it.p2)]}`;
    const cols: [string, number[]][] = [['clean', it.clean], ['g1(x) (attack on view 1)', it.g1], ['g2(x) (attack on view 2)', it.g2],
      ['sign(g1(x) - x)', it.g1.map((v, i) => Math.sign(v - it.clean[i]) * 0.5 + 0.5)]];
    for (const [col, img] of cols) {
      for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) rows.push({ image: title, column: col, x: j, y: i, v: img[i * side + j] });
    }
  });
  return {
    $schema: VEGA_LITE_SCHEMA, title: 'FGSM adversarial examples of the two views (eps in [0,1] pixel units)', data: { values: rows },
    facet: { row: { field: 'image', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } }, column: { field: 'column', type: 'nominal', title: null, sort: ['clean', 'g1(x) (attack on view 1)', 'g2(x) (attack on view 2)', 'sign(g1(x) - x)'] } },
    spec: {
      width: 84, height: 84, mark: 'rect',
      encoding: { x: { field: 'x', type: 'ordinal', axis: null }, y: { field: 'y', type: 'ordinal', axis: null }, color: { field: 'v', type: 'quantitative', scale: { scheme: 'greys', domain: [0, 1] }, legend: null } },
    },
    config: { view: { stroke: null } },
  };
}
