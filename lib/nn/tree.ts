// Walking a layer tree: full variable paths, state, parameter counts, disposal, lookup by path.
import * as tf from '@tensorflow/tfjs';
import type { Layer, NamedVar } from './types';

function walk(layer: Layer, prefix: string, pick: (l: Layer) => NamedVar[], out: NamedVar[]): void {
  const base = prefix ? `${prefix}/${layer.name}` : layer.name;
  for (const nv of pick(layer)) out.push({ path: `${base}/${nv.path}`, variable: nv.variable, decay: nv.decay });
  for (const c of layer.children) walk(c, base, pick, out);
}

function checkUnique(vars: NamedVar[], what: string): NamedVar[] {
  const seen = new Set<string>();
  for (const v of vars) {
    if (seen.has(v.path)) throw new Error(`${what}: duplicate path '${v.path}' (give sibling layers distinct names)`);
    seen.add(v.path);
  }
  return vars;
}

/** Every trainable variable of the tree, with full hierarchical paths ("net/stage1/block0/conv1/kernel"). */
export function collectParams(layer: Layer): NamedVar[] {
  const out: NamedVar[] = [];
  walk(layer, '', (l) => l.params, out);
  return checkUnique(out, 'collectParams');
}

/** Every non-trainable state variable (batch-norm running statistics), with full paths. */
export function collectState(layer: Layer): NamedVar[] {
  const out: NamedVar[] = [];
  walk(layer, '', (l) => l.state, out);
  return checkUnique(out, 'collectState');
}

/** Number of trainable scalars (what PyTorch's sum(p.numel() for p in parameters()) counts). */
export function countParams(layer: Layer | NamedVar[]): number {
  const vars = Array.isArray(layer) ? layer : collectParams(layer);
  return vars.reduce((a, v) => a + v.variable.size, 0);
}

/** Dispose every variable of the tree (params and state). The layer must not be used afterwards. */
export function disposeLayer(layer: Layer): void {
  for (const nv of layer.params) nv.variable.dispose();
  for (const nv of layer.state) nv.variable.dispose();
  for (const c of layer.children) disposeLayer(c);
}

/** The sub-layer at a slash path relative to `root` ("stage2/block0"), or an error listing the children. */
export function findLayer(root: Layer, path: string): Layer {
  let cur = root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    const next = cur.children.find((c) => c.name === part);
    if (!next) {
      throw new Error(`findLayer: '${cur.name}' has no child '${part}' (children: ${cur.children.map((c) => c.name).join(', ') || 'none'})`);
    }
    cur = next;
  }
  return cur;
}

/** Select variables by path: a predicate, a RegExp, or a path prefix. */
export function selectVars(vars: NamedVar[], sel: string | RegExp | ((nv: NamedVar) => boolean)): NamedVar[] {
  if (typeof sel === 'string') return vars.filter((v) => v.path === sel || v.path.startsWith(sel.endsWith('/') ? sel : `${sel}/`));
  if (sel instanceof RegExp) return vars.filter((v) => sel.test(v.path));
  return vars.filter(sel);
}

/** Copy values from `src` into `dst` by path (e.g. EMA / teacher copies, loading a checkpoint). */
export function copyVars(src: NamedVar[], dst: NamedVar[]): void {
  const byPath = new Map(src.map((v) => [v.path, v.variable]));
  for (const d of dst) {
    const s = byPath.get(d.path);
    if (!s) throw new Error(`copyVars: no source variable for '${d.path}'`);
    if (!tf.util.arraysEqual(s.shape, d.variable.shape)) {
      throw new Error(`copyVars: shape mismatch at '${d.path}': source [${s.shape}] vs destination [${d.variable.shape}]`);
    }
    d.variable.assign(s);
  }
}

/** The layer tree, one line per layer with its own parameter count (for notebooks). */
export function describeLayer(layer: Layer, indent = ''): string {
  const own = layer.params.reduce((a, v) => a + v.variable.size, 0);
  const lines = [`${indent}${layer.name}${own ? `  (${own.toLocaleString('en-US')} params)` : ''}`];
  for (const c of layer.children) lines.push(describeLayer(c, indent + '  '));
  return lines.join('\n');
}
