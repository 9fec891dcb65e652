// Talking to the tslab kernel. tslab's public `display.raw` sends one mime type per output, but
// Jupyter outputs are mime *bundles*: we want vega-lite JSON and an SVG fallback in ONE output so
// each front end picks what it can render (JupyterLab: vega-lite; nbconvert HTML, GitHub, classic
// notebook: SVG). So we call the writer tslab's kernel installs for the running cell
// (tslab/dist/jupyter.js `lastWriteDisplayData`, what `display.raw` itself uses).
//
// Detection: we look for the kernel's tslab module in require.cache instead of `require('tslab')`,
// because (a) requiring tslab outside a kernel loads a whole TypeScript compiler for nothing and
// (b) a kernel started from another tslab install is a different module instance than the one our
// own `require('tslab')` would resolve. Outside a kernel (mocha, plain node) nothing is found.
import * as path from 'path';

export type MimeBundle = { [mime: string]: unknown };
type Writer = (content: { data: MimeBundle; metadata: object; transient: { display_id?: string } }, update?: boolean) => void;

const JUPYTER_SUFFIX = path.join('tslab', 'dist', 'jupyter.js');

function kernelWriter(): Writer | null {
  for (const key of Object.keys(require.cache)) {
    if (!key.endsWith(JUPYTER_SUFFIX)) continue;
    const exp = require.cache[key]?.exports as { lastWriteDisplayData?: unknown } | undefined;
    if (exp && typeof exp.lastWriteDisplayData === 'function') return exp.lastWriteDisplayData as Writer;
  }
  return null;
}

/** True when running inside a tslab Jupyter kernel (a cell has started executing). */
export function inNotebook(): boolean {
  return kernelWriter() !== null;
}

/**
 * Send a mime bundle as a display_data output. With `displayId`, the first call creates the
 * output and later calls with `update: true` replace it in place (update_display_data).
 * Returns false (and does nothing) outside a kernel.
 */
export function emitBundle(data: MimeBundle, opts: { displayId?: string; update?: boolean } = {}): boolean {
  const w = kernelWriter();
  if (!w) return false;
  const transient: { display_id?: string } = {};
  if (opts.displayId) transient.display_id = opts.displayId;
  w({ data, metadata: {}, transient }, opts.update === true);
  return true;
}

let counter = 0;
/** A fresh display id for outputs that will be updated in place. */
export function newDisplayId(): string {
  counter += 1;
  return `cv-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
