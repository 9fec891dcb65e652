// Headless rendering of vega-lite specs: compile to vega, run a renderer-less View, serialise SVG.
// vega / vega-lite are required lazily so importing the lib stays fast for code that never plots.
import * as fs from 'fs';
import * as path from 'path';
import type { VlSpec } from './spec';

type VegaModule = typeof import('vega');
type VegaLiteModule = typeof import('vega-lite');
let vegaMod: VegaModule | undefined;
let vlMod: VegaLiteModule | undefined;

function vega(): VegaModule {
  if (!vegaMod) vegaMod = require('vega') as VegaModule;
  return vegaMod;
}
function vegaLite(): VegaLiteModule {
  if (!vlMod) vlMod = require('vega-lite') as VegaLiteModule;
  return vlMod;
}

const MARKS = new Set(['arc', 'area', 'bar', 'image', 'line', 'point', 'rect', 'rule', 'text', 'tick', 'trail',
  'circle', 'square', 'geoshape', 'boxplot', 'errorbar', 'errorband']);

// vega-lite does not validate against its JSON schema; an unknown mark type otherwise surfaces as
// "Cannot read properties of undefined", so name it here.
function checkMarks(node: unknown, where: string): void {
  if (!node || typeof node !== 'object') return;
  const o = node as { [k: string]: unknown };
  if ('mark' in o) {
    const m = o.mark;
    const type = typeof m === 'string' ? m : m && typeof m === 'object' ? (m as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !MARKS.has(type)) {
      throw new Error(`viz.compile: unknown mark type '${String(type)}' at ${where} (one of ${[...MARKS].join(', ')})`);
    }
  }
  for (const k of ['layer', 'hconcat', 'vconcat', 'concat']) {
    const arr = o[k];
    if (Array.isArray(arr)) arr.forEach((c, i) => checkMarks(c, `${where}.${k}[${i}]`));
  }
  if (o.spec) checkMarks(o.spec, `${where}.spec`);
  if (o.facet && typeof o.facet === 'object' && 'spec' in (o.facet as object)) checkMarks((o.facet as { spec: unknown }).spec, `${where}.facet.spec`);
}

/** Compile a vega-lite spec to a vega spec; throws with the vega-lite message on an invalid spec. */
export function compile(spec: VlSpec): object {
  if (!spec || typeof spec !== 'object') throw new Error('viz.compile: spec must be a vega-lite object');
  checkMarks(spec, 'spec');
  const warnings: string[] = [];
  const logger = {
    level(_?: number) { return logger as never; },
    error(...a: unknown[]) { throw new Error(`vega-lite: ${a.join(' ')}`); },
    warn(...a: unknown[]) { warnings.push(a.join(' ')); return logger as never; },
    info() { return logger as never; },
    debug() { return logger as never; },
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return vegaLite().compile(spec as any, { logger: logger as any }).spec;
  } catch (e) {
    throw new Error(`viz.compile: invalid vega-lite spec: ${(e as Error).message}`);
  }
}

/** Render a vega-lite spec to an SVG string (headless, no canvas needed). */
export async function toSVG(spec: VlSpec): Promise<string> {
  const v = vega();
  const view = new v.View(v.parse(compile(spec) as never), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Render a spec and write it to an .svg file (directories are created). Returns the path. */
export async function saveSVG(spec: VlSpec, file: string): Promise<string> {
  const svg = await toSVG(spec);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, svg);
  fs.renameSync(tmp, file);
  return file;
}
