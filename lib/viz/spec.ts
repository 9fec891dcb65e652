// Vega-lite specs are plain JSON objects. We keep the type loose on purpose: builders return
// ordinary objects that users may tweak (`spec.width = 600`) before `show`.
export type VlSpec = { [key: string]: unknown };

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** Options every builder accepts. */
export interface BaseOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** Start a top-level spec with schema, title, size and inline data. */
export function baseSpec(opts: BaseOptions, values: object[], defaults: { width: number | object; height: number | object }): VlSpec {
  const spec: VlSpec = { $schema: VEGA_LITE_SCHEMA };
  if (opts.title) spec.title = opts.title;
  spec.width = opts.width ?? defaults.width;
  spec.height = opts.height ?? defaults.height;
  spec.data = { values };
  return spec;
}

/** Convert a 2-D input (nested arrays or anything with `arraySync`, e.g. a tf.Tensor2D) to rows. */
export function toMatrix(m: ArrayLike<ArrayLike<number>> | { arraySync(): unknown; shape: number[] }, what: string): number[][] {
  let rows: ArrayLike<ArrayLike<number>>;
  if (typeof (m as { arraySync?: unknown }).arraySync === 'function') {
    const t = m as { arraySync(): unknown; shape: number[] };
    if (t.shape.length !== 2) throw new Error(`${what}: expected a 2-D tensor, got shape [${t.shape.join(', ')}]`);
    rows = t.arraySync() as number[][];
  } else {
    rows = m as ArrayLike<ArrayLike<number>>;
  }
  if (!rows || rows.length === 0) throw new Error(`${what}: matrix is empty`);
  const cols = rows[0].length;
  const out: number[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!r || r.length !== cols) throw new Error(`${what}: row ${i} has ${r ? r.length : 0} entries, expected ${cols} (ragged matrix)`);
    out.push(Array.from(r, Number));
  }
  return out;
}
