// Drawing helpers for the notebook: panoptic maps as RGB with one stable colour per global id,
// depth as grey levels, a top-down point cloud (Fig. 7-7 analog) and an offset quiver, as vega-lite.
import { SYNTH_CLASS_COLORS, SYNTH_CLASS_NAMES } from './data/classes';

/** RGB [H*W*3]: stuff in its class colour, each thing id in its class colour shifted by a hash of the id. */
export function panopticToRgb(pan: Int32Array, labelDivisor: number, colors: readonly [number, number, number][] = SYNTH_CLASS_COLORS): Uint8Array {
  const out = new Uint8Array(pan.length * 3);
  for (let i = 0; i < pan.length; i++) {
    const cls = Math.floor(pan[i] / labelDivisor), ins = pan[i] % labelDivisor;
    const base = colors[cls];
    if (!base) continue; // void: black
    let rgb: number[] = [...base];
    if (ins !== 0) {
      const h = Math.imul(ins + 7 * cls, 2654435761) >>> 0;
      rgb = [(h & 255), ((h >>> 8) & 255), ((h >>> 16) & 255)].map((v, c) => Math.round(0.35 * base[c] + 0.65 * v));
    }
    out.set(rgb, 3 * i);
  }
  return out;
}

/** Depth in metres -> uint8 grey RGB (near bright), 0 (invalid) black. */
export function depthToRgb(depth: ArrayLike<number>, maxDepth: number): Uint8Array {
  const out = new Uint8Array(depth.length * 3);
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i];
    const v = d > 0 ? Math.round(255 * (1 - Math.min(d, maxDepth) / maxDepth) * 0.85 + 38) : 0;
    out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v;
  }
  return out;
}

/**
 * Fig. 7-7 analog: top-down scatter, x = lateral (u - cx) * d / f, y = depth d, colour = class,
 * one facet per source (GT / predicted). Every `stride`-th pixel with valid GT depth.
 */
export function pointCloudSpec(o: { semantic: Int32Array[]; depth: ArrayLike<number>[]; gtDepth: ArrayLike<number>; sources: string[]; width: number; focal: number; cx: number; stride?: number; classNames?: readonly string[] }): object {
  const names = o.classNames ?? SYNTH_CLASS_NAMES;
  const stride = o.stride ?? 2;
  const values: object[] = [];
  o.sources.forEach((src, s) => {
    for (let i = 0; i < o.depth[s].length; i += stride) {
      const d = o.depth[s][i];
      if (!(o.gtDepth[i] > 0) || !(d > 0)) continue;
      const u = i % o.width;
      values.push({ source: src, x: ((u - o.cx) * d) / o.focal, depth: d, class: names[o.semantic[s][i]] ?? 'void' });
    }
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: 'Top-down point cloud (lateral vs depth)', data: { values },
    facet: { column: { field: 'source', type: 'nominal', title: null } },
    spec: {
      width: 220, height: 220, mark: { type: 'circle', size: 8, opacity: 0.6 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'lateral (m)' },
        y: { field: 'depth', type: 'quantitative', title: 'depth (m)', scale: { domain: [0, 40] } },
        color: { field: 'class', type: 'nominal', scale: { domain: [...names], range: SYNTH_CLASS_COLORS.map((c) => `rgb(${c.join(',')})`) } },
      },
    },
  };
}

/**
 * Offset quiver: on a grid with step `step`, rule marks from each thing pixel p to p + offset(p),
 * for frame t's offsets and frame t+1's next-offsets (which point at frame-t centers).
 */
export function offsetQuiverSpec(o: { fields: { name: string; offset: Float32Array; mask: Uint8Array }[]; height: number; width: number; step?: number }): object {
  const step = o.step ?? 4;
  const values: object[] = [];
  for (const f of o.fields) {
    for (let y = 0; y < o.height; y += step) {
      for (let x = 0; x < o.width; x += step) {
        const i = y * o.width + x;
        if (!f.mask[i]) continue;
        values.push({ field: f.name, x, y, x2: x + f.offset[2 * i + 1], y2: y + f.offset[2 * i] });
      }
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: 'Offsets (frame t) and next-frame offsets (frame t+1 -> frame-t centers)', data: { values },
    facet: { column: { field: 'field', type: 'nominal', title: null } },
    spec: {
      width: 200, height: 200,
      layer: [
        { mark: { type: 'rule', opacity: 0.7 }, encoding: { x: { field: 'x', type: 'quantitative', scale: { domain: [0, o.width] } }, y: { field: 'y', type: 'quantitative', scale: { domain: [o.height, 0] } }, x2: { field: 'x2' }, y2: { field: 'y2' } } },
        { mark: { type: 'point', size: 10, filled: true, color: 'red' }, encoding: { x: { field: 'x2', type: 'quantitative' }, y: { field: 'y2', type: 'quantitative' } } },
      ],
    },
  };
}
