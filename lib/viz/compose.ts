// Put several charts in one figure (e.g. a loss curve beside a confusion matrix). Each builder's
// spec keeps its own inline data; only the top-level-only keys move to the composite.
import { VEGA_LITE_SCHEMA, VlSpec } from './spec';

function inner(spec: VlSpec): VlSpec {
  const { $schema: _schema, config: _config, ...rest } = spec;
  return rest;
}

function compose(kind: 'hconcat' | 'vconcat', specs: VlSpec[], opts: { title?: string }): VlSpec {
  if (!Array.isArray(specs) || specs.length === 0) throw new Error(`viz.${kind}: give at least one spec`);
  // Configs (e.g. legend styling) are merged shallowly; the first chart wins on conflicts.
  const config = Object.assign({}, ...specs.map((s) => (s.config as object) ?? {}).reverse());
  const out: VlSpec = { $schema: VEGA_LITE_SCHEMA };
  if (opts.title) out.title = opts.title;
  out[kind] = specs.map(inner);
  // Independent scales and legends: charts from different builders share no encodings.
  out.resolve = { scale: { color: 'independent', x: 'independent', y: 'independent' }, legend: { color: 'independent' } };
  if (Object.keys(config).length) out.config = config;
  return out;
}

/** Charts side by side. */
export function hconcat(specs: VlSpec[], opts: { title?: string } = {}): VlSpec {
  return compose('hconcat', specs, opts);
}

/** Charts stacked vertically. */
export function vconcat(specs: VlSpec[], opts: { title?: string } = {}): VlSpec {
  return compose('vconcat', specs, opts);
}
