// Bar charts with error bars: one bar per label (optionally grouped, e.g. method x dataset), height =
// mean over seeds, whisker = ± sample std (n-1). Seeds are given as raw values so the aggregation
// is visible and testable; precomputed mean/std are accepted too.
import { BaseOptions, baseSpec, VlSpec } from './spec';
import { meanStd } from './stats';

export interface BarDatum {
  label: string;
  /** Bars inside one label (colour + side-by-side offset), e.g. the method. */
  group?: string;
  /** One value per seed; mean and std are computed from them. */
  values?: ArrayLike<number>;
  /** Or a single value / precomputed mean ... */
  value?: number;
  /** ... with its precomputed std. */
  std?: number;
}

export interface BarOptions extends BaseOptions {
  xTitle?: string;
  yTitle?: string;
  yDomain?: [number, number];
  /** Print the mean above each bar with this d3 format, e.g. '.1f' (default: none). */
  labelFormat?: string;
  /** Horizontal bars (labels on the y axis). */
  horizontal?: boolean;
}

export interface BarRow { label: string; group: string; mean: number; std: number; n: number; lo: number; hi: number }

export function barRows(data: BarDatum[]): BarRow[] {
  if (!Array.isArray(data) || data.length === 0) throw new Error('viz.bars: data must be a non-empty array of {label, values | value}');
  return data.map((d, i) => {
    if (typeof d.label !== 'string') throw new Error(`viz.bars: item ${i} needs a string label`);
    let mean: number, std: number, n: number;
    if (d.values !== undefined) {
      const s = meanStd(d.values);
      if (s.n === 0) throw new Error(`viz.bars: item '${d.label}' has no finite values`);
      ({ mean, std, n } = s);
    } else if (typeof d.value === 'number') {
      mean = d.value; std = d.std ?? 0; n = 1;
    } else {
      throw new Error(`viz.bars: item '${d.label}' needs values (per seed) or value`);
    }
    return { label: d.label, group: d.group ?? '', mean, std, n, lo: mean - std, hi: mean + std };
  });
}

/** Bars (mean) with error bars (± std over seeds). */
export function bars(data: BarDatum[], opts: BarOptions = {}): VlSpec {
  const rows = barRows(data);
  const grouped = rows.some((r) => r.group !== '');
  const cat = { field: 'label', type: 'nominal', title: opts.xTitle ?? null, sort: null };
  const valScale: { [k: string]: unknown } = {};
  if (opts.yDomain) valScale.domain = opts.yDomain;
  const val = { field: 'mean', type: 'quantitative', title: opts.yTitle ?? 'value', scale: valScale };
  const [c, v, off] = opts.horizontal ? ['y', 'x', 'yOffset'] : ['x', 'y', 'xOffset'];
  const common: VlSpec = { [c]: cat };
  if (grouped) {
    common.color = { field: 'group', type: 'nominal', title: null, sort: null };
    common[off] = { field: 'group', type: 'nominal', sort: null };
  }
  const layers: VlSpec[] = [
    {
      mark: { type: 'bar' },
      encoding: {
        ...common, [v]: val,
        tooltip: [{ field: 'label' }, ...(grouped ? [{ field: 'group' }] : []), { field: 'mean', format: '.4g' }, { field: 'std', format: '.3g' }, { field: 'n', title: 'seeds' }],
      },
    },
  ];
  if (rows.some((r) => r.std > 0)) {
    layers.push({
      mark: { type: 'errorbar', ticks: true },
      encoding: { ...common, color: { value: 'black' }, [v]: { field: 'lo', type: 'quantitative', title: val.title, scale: valScale }, [`${v}2`]: { field: 'hi' } },
    });
  }
  if (opts.labelFormat) {
    layers.push({
      mark: opts.horizontal ? { type: 'text', align: 'left', dx: 4 } : { type: 'text', baseline: 'bottom', dy: -2 },
      encoding: { ...common, color: { value: 'black' }, [v]: { field: 'hi', type: 'quantitative' }, text: { field: 'mean', format: opts.labelFormat } },
    });
  }
  const spec = baseSpec(opts, rows, opts.horizontal ? { width: 360, height: { step: 22 } } : { width: { step: 28 }, height: 240 });
  spec.layer = layers;
  return spec;
}
