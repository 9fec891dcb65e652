// Vega-lite specs specific to the DCL notebook (Figures 3, 5 and the complexity plots). Generic
// charts (curves, bars, heatmaps, image grids) come from lib/viz.
import type { VlSpec } from '../../viz/spec';
import { VEGA_LITE_SCHEMA } from '../../viz/spec';
import type { FilterCurveResult, ResponseAnalysis } from './experiments';
import { dclCounts, layerCounts } from './complexity';

/** Figure 3 analogue: test accuracy vs filters per branch (log x), dashed rule at the baseline. */
export function filterCurveSpec(r: FilterCurveResult, title = 'DCL-A2: accuracy vs filters per branch (frozen trunk)'): VlSpec {
  const pts = r.points.map((p) => ({ M: p.M, acc: p.testAcc, lo: p.testAcc - 100 * p.ci95, hi: p.testAcc + 100 * p.ci95, params: p.params }));
  return {
    $schema: VEGA_LITE_SCHEMA, title, width: 380, height: 240,
    layer: [
      { data: { values: pts }, mark: { type: 'errorbar' }, encoding: { x: { field: 'M', type: 'quantitative', scale: { type: 'log', nice: false } }, y: { field: 'lo', type: 'quantitative', title: 'test accuracy (%) ± 95%' }, y2: { field: 'hi' } } },
      {
        data: { values: pts }, mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'M', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'filters per branch M (log scale)' },
          y: { field: 'acc', type: 'quantitative', title: 'test accuracy (%) ± 95%', scale: { zero: false } },
          tooltip: [{ field: 'M' }, { field: 'acc', format: '.2f' }, { field: 'params', title: 'model params' }],
        },
      },
      {
        data: { values: [{ acc: r.baseline.testAcc, label: `baseline FC500 ${r.baseline.testAcc.toFixed(1)}%` }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [6, 4], color: 'black' }, encoding: { y: { field: 'acc', type: 'quantitative' } } },
          { mark: { type: 'text', align: 'left', dx: 4, dy: -6, x: 0 }, encoding: { y: { field: 'acc', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
    ],
  };
}

/**
 * Figure 5 analogue for one fused unit k: (a) mean z over the classes (argmax in red); (b) mean v(t)
 * grouped by each digit position (2 x T panels; red = the branch's own max, green = the digit of the
 * fused argmax class at that position when it differs).
 */
export function responseSpecs(a: ResponseAnalysis, k: number, classNames: string[]): { fused: VlSpec; branches: VlSpec } {
  const z = a.meanZ[k];
  const best = z.reduce((bi, v, i) => (v > z[bi] ? i : bi), 0);
  // A dead unit sits on the 0.1 floor for every input: there is no peak to mark.
  const dead = Math.max(...z) - Math.min(...z) < 1e-6;
  const fused: VlSpec = {
    $schema: VEGA_LITE_SCHEMA, width: 640, height: 160,
    title: dead ? `unit ${k}: mean fused response z per class — dead unit (z = ${z[0].toFixed(2)} for every class, no peak)` : `unit ${k}: mean fused response z per class (peak ${classNames[best]})`,
    data: { values: z.map((v, c) => ({ cls: classNames[c], z: v, peak: c === best && !dead ? 'argmax' : 'other' })) },
    mark: 'bar',
    encoding: {
      x: { field: 'cls', type: 'ordinal', title: 'class', sort: null, axis: { labelFontSize: 7 } },
      y: { field: 'z', type: 'quantitative', title: 'mean z' },
      color: { field: 'peak', type: 'nominal', scale: { domain: ['argmax', 'other'], range: ['#d62728', '#9aa5b1'] }, legend: null },
    },
  };
  const T = a.meanV.length, D = a.meanV[0].length, base = a.meanV[0][0][0].length;
  const posName = (d: number) => (D === 2 ? ['tens digit', 'unit digit'][d] : `digit ${d + 1}`);
  const rows: object[] = [];
  for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) {
    const v = a.meanV[t][d][k];
    const own = v.reduce((bi, x, i) => (x > v[bi] ? i : bi), 0);
    const fusedDigit = Math.floor(best / Math.pow(base, D - 1 - d)) % base;
    v.forEach((x, g) => rows.push({
      branch: `branch ${t + 1}`, position: posName(d), digit: String(g), v: x,
      mark: g === own ? 'branch max' : g === fusedDigit && !dead ? 'digit of fused peak' : 'other',
    }));
  }
  const branches: VlSpec = {
    $schema: VEGA_LITE_SCHEMA, title: `unit ${k}: mean branch responses v(t) grouped by digit position`,
    data: { values: rows },
    facet: { row: { field: 'branch', type: 'nominal', title: null }, column: { field: 'position', type: 'nominal', title: null } },
    spec: {
      width: 200, height: 110, mark: 'bar',
      encoding: {
        x: { field: 'digit', type: 'ordinal', title: 'digit' },
        y: { field: 'v', type: 'quantitative', title: 'mean v' },
        color: { field: 'mark', type: 'nominal', title: null, scale: { domain: ['branch max', 'digit of fused peak', 'other'], range: ['#d62728', '#2ca02c', '#9aa5b1'] } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  return { fused, branches };
}

/** 10 x 10 heat-map rows of mean z (tens x unit digit) for a two-digit unit: the near outer-product structure. */
export function tensUnitMatrix(a: ResponseAnalysis, k: number): number[][] {
  if (a.classes !== 100) throw new Error(`tensUnitMatrix: needs a two-digit (100-class) analysis, got ${a.classes} classes`);
  return Array.from({ length: 10 }, (_, r) => a.meanZ[k].slice(r * 10, r * 10 + 10));
}

/** Complexity plot (b): log-scale compositional vocabulary M^T vs DCL weights T·M·(D+K2) vs the layer's D·K2. */
export function vocabularySpec(D: number, K2: number, M: number, Ts = [1, 2, 3, 4, 5]): VlSpec {
  const rows = Ts.flatMap((T) => {
    const Ms = new Array(T).fill(M);
    return [
      { T, what: `compositional filters M^T`, value: dclCounts({ u: 1, K1: D, K2 }, Ms).compositionalFilters },
      { T, what: `DCL weights T·M·(D+K2)`, value: dclCounts({ u: 1, K1: D, K2 }, Ms).weights },
      { T, what: `original layer D·K2`, value: layerCounts({ u: 1, K1: D, K2 }).weights },
    ];
  });
  return {
    $schema: VEGA_LITE_SCHEMA, title: `vocabulary vs parameters (D = ${D}, K2 = ${K2}, M = ${M})`, width: 360, height: 220,
    data: { values: rows }, mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'T', type: 'ordinal', title: 'branches T' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'count (log scale)' },
      color: { field: 'what', type: 'nominal', title: null, legend: { labelLimit: 300, orient: 'bottom', direction: 'vertical' } },
      strokeDash: { condition: { test: "datum.what === 'original layer D·K2'", value: [6, 4] }, value: [1, 0] },
    },
  };
}

/** Complexity plot (c): region of (T, M) where DCL is no larger than the layer (ΣM <= D·K2/(D+K2)). */
export function cheaperRegionSpec(D: number, K2: number, Ts = [1, 2, 3, 4, 5, 6], Ms = [25, 50, 100, 150, 200, 300, 400, 500]): VlSpec {
  const rows = Ts.flatMap((T) => Ms.map((M) => {
    const ratio = dclCounts({ u: 1, K1: D, K2 }, new Array(T).fill(M)).weights / layerCounts({ u: 1, K1: D, K2 }).weights;
    return { T: String(T), M: String(M), ratio, cheaper: ratio <= 1 ? 'DCL smaller' : 'DCL larger' };
  }));
  return {
    $schema: VEGA_LITE_SCHEMA, title: `DCL weights / layer weights (D = ${D}, K2 = ${K2})`, width: 320, height: 200,
    data: { values: rows },
    layer: [
      { mark: 'rect', encoding: { x: { field: 'M', type: 'ordinal', sort: null, title: 'filters per branch M' }, y: { field: 'T', type: 'ordinal', title: 'branches T' }, color: { field: 'cheaper', type: 'nominal', title: null, scale: { domain: ['DCL smaller', 'DCL larger'], range: ['#a1d99b', '#fc9272'] } } } },
      { mark: { type: 'text', fontSize: 9 }, encoding: { x: { field: 'M', type: 'ordinal', sort: null }, y: { field: 'T', type: 'ordinal' }, text: { field: 'ratio', format: '.2f' } } },
    ],
  };
}
