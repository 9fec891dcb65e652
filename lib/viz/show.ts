// Displaying specs: in a notebook one output with vega-lite JSON + SVG (+ text/plain); in a
// terminal a one-line note (scripts should call saveSVG instead).
import * as fs from 'fs';
import * as path from 'path';
import { emitBundle, inNotebook, MimeBundle, newDisplayId } from './kernel';
import { toSVG } from './render';
import { VlSpec, VEGA_LITE_MIME } from './spec';

function describe(spec: VlSpec): string {
  const t = spec.title;
  const title = typeof t === 'string' ? t : t && typeof t === 'object' && 'text' in t ? String((t as { text: unknown }).text) : '';
  return `<vega-lite chart${title ? `: ${title}` : ''}>`;
}

/** The mime bundle `show` emits: vega-lite JSON, its SVG rendering and a text placeholder. */
export async function mimeBundle(spec: VlSpec): Promise<MimeBundle> {
  const svg = await toSVG(spec);
  return { [VEGA_LITE_MIME]: spec, 'image/svg+xml': svg, 'text/plain': describe(spec) };
}

/**
 * Show a vega-lite spec. In a tslab notebook: `await cv.viz.show(spec)` emits one display_data
 * output holding the vega-lite JSON and its SVG. Elsewhere it prints a short placeholder line.
 */
export async function show(spec: VlSpec): Promise<void> {
  if (!inNotebook()) {
    console.log(`${describe(spec)} (not in a notebook: use viz.saveSVG(spec, file) to export it)`);
    return;
  }
  emitBundle(await mimeBundle(spec));
}

export interface LiveChartOptions {
  /** Outside a notebook, write the latest SVG to this file on every update. */
  saveTo?: string;
  /** Minimum milliseconds between two renders; updates in between are coalesced (default 0). */
  minIntervalMs?: number;
}

export interface LiveChart<T> {
  /** Re-render the chart from new data. Resolves once this data (or newer) has been drawn. */
  update(data: T): Promise<void>;
  /** Wait for pending renders, then render the last data if it was throttled. */
  done(): Promise<void>;
  /** Number of renders actually performed (coalesced updates count once). */
  readonly renders: number;
  /** True when updates go to a notebook output. */
  readonly live: boolean;
}

/**
 * A chart that redraws in place, e.g. training curves: `const chart = cv.viz.liveChart(h =>
 * cv.viz.curves(h))` then `await chart.update(history)` after each epoch. Uses one display id, so
 * the notebook keeps a single output that is replaced (update_display_data). Renders are serialised
 * and coalesced: if updates arrive while a render is running only the newest data is drawn next.
 * Outside a kernel it is a no-op, or writes the SVG to `opts.saveTo`.
 */
export function liveChart<T>(build: (data: T) => VlSpec, opts: LiveChartOptions = {}): LiveChart<T> {
  const live = inNotebook();
  const displayId = newDisplayId();
  let created = false;
  let pending: { data: T } | null = null;
  let running: Promise<void> | null = null;
  let renders = 0;
  let lastRender = 0;

  async function drawLoop(): Promise<void> {
    await Promise.resolve(); // so `running` is assigned before the loop can finish
    try {
      while (pending) {
        const wait = (opts.minIntervalMs ?? 0) - (Date.now() - lastRender);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const { data } = pending;
        pending = null;
        const spec = build(data); // built even when not live, so bad input fails in scripts too
        if (live) {
          emitBundle(await mimeBundle(spec), { displayId, update: created });
          created = true;
        } else if (opts.saveTo) {
          const svg = await toSVG(spec);
          fs.mkdirSync(path.dirname(path.resolve(opts.saveTo)), { recursive: true });
          fs.writeFileSync(opts.saveTo, svg);
        }
        renders += 1;
        lastRender = Date.now();
      }
    } finally {
      running = null; // same synchronous step as the last `pending` check: no lost update
    }
  }

  const chart: LiveChart<T> = {
    update(data: T) {
      pending = { data };
      if (!running) {
        running = drawLoop();
      }
      return running;
    },
    async done() {
      while (running) await running;
    },
    get renders() { return renders; },
    get live() { return live; },
  };
  return chart;
}
