// Vega-lite specs of notebook 04 (spec 7.3). Plain JSON builders over runner results; generic
// charts (heat maps, curves, bars) come from lib/viz, the paper-specific layouts are here.
import type { VlSpec } from '../../viz/spec';
import { VEGA_LITE_SCHEMA } from '../../viz/spec';
import type { JointResult, JointRow } from './experiments';

const base = (title: string, values: object[]): VlSpec => ({ $schema: VEGA_LITE_SCHEMA, title, data: { values } });

/** Figure 2-2 analogue: 2-D PCA of abar_y and of w^pt_y side by side, one colour per class. */
export function structureScatter(pcaMeans: number[], pcaWeights: number[], classNames: string[], title = 'Class-mean activations vs FC weights (PCA)', axis = 'PC'): VlSpec {
  const rows: object[] = [];
  classNames.forEach((c, i) => {
    rows.push({ space: 'mean activations abar_y', class: c, pc1: pcaMeans[2 * i], pc2: pcaMeans[2 * i + 1] });
    rows.push({ space: 'FC weights w_y', class: c, pc1: pcaWeights[2 * i], pc2: pcaWeights[2 * i + 1] });
  });
  return {
    ...base(title, rows), width: 220, height: 220,
    mark: { type: 'point', filled: true, size: 90 },
    encoding: {
      column: { field: 'space', type: 'nominal', title: null, sort: ['mean activations abar_y', 'FC weights w_y'] },
      x: { field: 'pc1', type: 'quantitative', title: `${axis} 1` }, y: { field: 'pc2', type: 'quantitative', title: `${axis} 2` },
      color: { field: 'class', type: 'nominal', sort: null }, tooltip: [{ field: 'class' }],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

/** Table 2-I analogue: grouped bars of top-1 on C_large / C_few per method, faceted by shots, ± std over draws. */
export function jointBars(rows: JointRow[], title = 'Joint 10-way top-1 accuracy (mean ± std over shot draws)'): VlSpec {
  const values = rows.flatMap((r) => [
    { method: r.method, shots: `${r.shots}-shot`, subset: 'C_large', acc: r.top1Large, lo: r.top1Large - r.top1LargeStd, hi: r.top1Large + r.top1LargeStd },
    { method: r.method, shots: `${r.shots}-shot`, subset: 'C_few', acc: r.top1Few, lo: r.top1Few - r.top1FewStd, hi: r.top1Few + r.top1FewStd },
  ]);
  const methods = [...new Set(rows.map((r) => r.method))];
  return {
    ...base(title, values),
    facet: { column: { field: 'shots', type: 'nominal', title: null } },
    spec: {
      width: 260, height: 200,
      encoding: { x: { field: 'method', type: 'nominal', sort: methods, title: null }, xOffset: { field: 'subset', sort: ['C_large', 'C_few'] } },
      layer: [
        { mark: 'bar', encoding: { y: { field: 'acc', type: 'quantitative', title: 'top-1', scale: { domain: [0, 1] } }, color: { field: 'subset', type: 'nominal', sort: ['C_large', 'C_few'] } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    },
  };
}

/** Trade-off scatter: x = top-1 C_large, y = top-1 C_few, colour = method, shape = shots. */
export function tradeoffScatter(rows: JointRow[], title = 'C_large vs C_few top-1 (top-right is better)'): VlSpec {
  return {
    ...base(title, rows.map((r) => ({ method: r.method, shots: `${r.shots}-shot`, large: r.top1Large, few: r.top1Few }))), width: 380, height: 300,
    mark: { type: 'point', filled: true, size: 110 },
    encoding: {
      x: { field: 'large', type: 'quantitative', title: 'top-1 on C_large images', scale: { zero: false } },
      y: { field: 'few', type: 'quantitative', title: 'top-1 on C_few images' },
      color: { field: 'method', type: 'nominal', sort: null }, shape: { field: 'shots', type: 'nominal' }, tooltip: [{ field: 'method' }, { field: 'shots' }, { field: 'large', format: '.3f' }, { field: 'few', format: '.3f' }],
    },
  };
}

/** p_mean sweep with the thesis value 0.9 marked. */
export function pMeanPlot(rows: { pMean: number; top1Large: number; top1Few: number }[], title = 'p_mean sweep (phi2, 1-shot)'): VlSpec {
  const values = rows.flatMap((r) => [{ pMean: r.pMean, subset: 'C_large', acc: r.top1Large }, { pMean: r.pMean, subset: 'C_few', acc: r.top1Few }]);
  return {
    ...base(title, values), width: 360, height: 240,
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x: { field: 'pMean', type: 'quantitative', title: 'p_mean', scale: { domain: [0, 1] } }, y: { field: 'acc', type: 'quantitative', title: 'top-1' }, color: { field: 'subset', type: 'nominal', sort: ['C_large', 'C_few'] } } },
      { data: { values: [{ x: 0.9, label: 'thesis 0.9' }] }, mark: { type: 'rule', strokeDash: [4, 3], color: 'gray' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
      { data: { values: [{ x: 0.9, label: 'thesis 0.9' }] }, mark: { type: 'text', dy: -110, dx: -4, align: 'right', color: 'gray' }, encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
}

/** Figure 2-5 right: OS(k) of phi1 vs w^pt (solid) and of the random-order identity (dashed). */
export function orderSimilarityPlot(osPhi1: number[], osRandom: number[], title = 'Top-k order similarity of channel impacts vs w^pt'): VlSpec {
  const values = [
    ...osPhi1.map((v, i) => ({ k: i + 1, os: v, series: 'phi1 vs w^pt' })),
    ...osRandom.map((v, i) => ({ k: i + 1, os: v, series: 'identity (random order) vs w^pt' })),
  ];
  return {
    ...base(title, values), width: 380, height: 240, mark: 'line',
    encoding: {
      x: { field: 'k', type: 'quantitative' }, y: { field: 'os', type: 'quantitative', title: 'OS(k)', scale: { domain: [0, 1] } },
      color: { field: 'series', type: 'nominal', scale: { range: ['#d62728', '#2ca02c'] } }, strokeDash: { field: 'series', type: 'nominal', scale: { range: [[1, 0], [5, 4]] } },
    },
  };
}

/** Table 2-III analogue: episode accuracy with 95% CI, faceted by shots. */
export function episodeBars(rows: { method: string; shots: number; mean: number; ci95: number }[], title = '5-way episode accuracy (mean ± 95% CI)'): VlSpec {
  const values = rows.map((r) => ({ method: r.method, shots: `${r.shots}-shot`, acc: r.mean, lo: r.mean - r.ci95, hi: r.mean + r.ci95 }));
  return {
    ...base(title, values),
    facet: { column: { field: 'shots', type: 'nominal', title: null } },
    spec: {
      width: 220, height: 220,
      encoding: { x: { field: 'method', type: 'nominal', title: null, sort: null } },
      layer: [
        { mark: 'bar', encoding: { y: { field: 'acc', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] } }, color: { field: 'method', type: 'nominal', legend: null, sort: null } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    },
  };
}

/** Adaptation cost: adding the novel classes (ms, log scale). */
export function adaptationPlot(adaptation: JointResult['adaptation'], title = 'Time to add the novel classes (log scale)'): VlSpec {
  return {
    ...base(title, adaptation.map((a) => ({ method: a.method, shots: `${a.shots}-shot`, seconds: a.ms / 1000 }))), width: 300, height: 220,
    mark: 'bar',
    encoding: {
      x: { field: 'method', type: 'nominal', title: null, sort: null }, xOffset: { field: 'shots' },
      y: { field: 'seconds', type: 'quantitative', scale: { type: 'log' }, title: 'seconds' }, color: { field: 'shots', type: 'nominal' },
    },
  };
}
