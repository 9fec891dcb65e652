// Vega-lite specs for the notebook (spec 7.4) that need rules (T_r, NR events, the 0.01 threshold),
// which lib/viz's generic curves do not draw. Plain objects; show them with lib/viz show().
import type { CheckRecord, NREvent } from './trainer';

type Spec = Record<string, unknown>;

/**
 * Figure 5-1 analogue: r and test accuracy vs iteration for labelled runs, a horizontal rule at T_r,
 * vertical rules at NR events; second panel lambda vs iteration (step line).
 */
export function utilizationSpec(runs: { label: string; checks: CheckRecord[]; events: NREvent[] }[], Tr: number, o: { title?: string } = {}): Spec {
  const rows = runs.flatMap((r) => r.checks.flatMap((c) => [
    { step: c.step, value: c.r, quantity: 'utilization r', run: r.label },
    ...(c.testAcc !== undefined ? [{ step: c.step, value: c.testAcc, quantity: 'test accuracy', run: r.label }] : []),
  ]));
  const lam = runs.flatMap((r) => r.checks.map((c) => ({ step: c.step, lambda: c.lambda, run: r.label })));
  const ev = runs.flatMap((r) => r.events.map((e) => ({ step: e.step, run: r.label })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title ?? 'Utilization r and test accuracy over training (NR events dashed)',
    vconcat: [
      {
        width: 520, height: 220,
        layer: [
          { data: { values: rows }, mark: { type: 'line', point: true }, encoding: {
            x: { field: 'step', type: 'quantitative', title: 'iteration' }, y: { field: 'value', type: 'quantitative', title: 'r | accuracy', scale: { domain: [0, 1] } },
            color: { field: 'run', type: 'nominal' }, strokeDash: { field: 'quantity', type: 'nominal' },
          } },
          { data: { values: [{ Tr }] }, mark: { type: 'rule', color: 'red' }, encoding: { y: { field: 'Tr', type: 'quantitative' } } },
          ...(ev.length ? [{ data: { values: ev }, mark: { type: 'rule', strokeDash: [4, 3], color: 'black' }, encoding: { x: { field: 'step', type: 'quantitative' } } }] : []),
        ],
      },
      {
        width: 520, height: 120, data: { values: lam },
        mark: { type: 'line', interpolate: 'step-before' },
        encoding: { x: { field: 'step', type: 'quantitative', title: 'iteration' }, y: { field: 'lambda', type: 'quantitative', title: 'lambda' }, color: { field: 'run', type: 'nominal' } },
      },
    ],
  };
}

/** Per-layer |gamma| / max|gamma| strip plot (log x) with the 0.01 dead threshold. */
export function gammaStripSpec(rel: number[][], o: { title?: string } = {}): Spec {
  const rows = rel.flatMap((l, i) => l.map((v) => ({ layer: `conv${i}`, rel: Math.max(v, 1e-6), dead: v < 0.01 ? 'dead' : 'live' })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title ?? '|gamma| / max|gamma| per layer just before NR (zeros clamped to 1e-6)',
    width: 480, height: 200,
    layer: [
      { data: { values: rows }, mark: { type: 'tick', thickness: 1.5 }, encoding: {
        x: { field: 'rel', type: 'quantitative', scale: { type: 'log' }, title: '|gamma| / max |gamma| (log)' },
        y: { field: 'layer', type: 'nominal' }, color: { field: 'dead', type: 'nominal', scale: { domain: ['live', 'dead'], range: ['#4c78a8', '#e45756'] } },
      } },
      { data: { values: [{ t: 0.01 }] }, mark: { type: 'rule', color: 'red' }, encoding: { x: { field: 't', type: 'quantitative' } } },
    ],
  };
}
