// Vega-lite specs specific to chapter 3 (spec §7.3 plots 6, 7): decision maps of the toy views and
// image rasters of adversarial examples. Generic curves/bars come from lib/viz. Rasters are embedded
// as PNG data URLs (image marks), not one rect per pixel: the notebook stays small (SVG of a 60x60
// rect heatmap per panel was megabytes).
import type { VlSpec } from '../../viz/spec';
import { VEGA_LITE_SCHEMA } from '../../viz/spec';
import { encodePNG, pngDataURL } from '../../viz/png';
import { imageGrid } from '../../viz/images';
import type { ToyMetrics } from './experiments';

// ColorBrewer RdBu stops, reversed so p = 0 is red and p = 1 is blue (vega's 'redblue' scheme).
const RED_BLUE = ['#67001f', '#b2182b', '#d6604d', '#f4a582', '#fddbc7', '#f7f7f7', '#d1e5f0', '#92c5de', '#4393c3', '#2166ac', '#053061']
  .map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)));

/** p in [0,1] -> RGB on the red-blue diverging scale (linear between stops). */
export function redBlue(p: number): [number, number, number] {
  const t = Math.max(0, Math.min(1, Number.isFinite(p) ? p : 0.5)) * (RED_BLUE.length - 1);
  const i = Math.min(RED_BLUE.length - 2, Math.floor(t)), f = t - i;
  const [a, b] = [RED_BLUE[i], RED_BLUE[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + f * (b[k] - a[k]))) as [number, number, number];
}

/** A g x g probability map (row i = y index ascending) as an RGB PNG data URL, y up, upscaled by `scale`. */
export function probabilityMapPNG(p: ArrayLike<number>, g: number, scale = 3): string {
  if (p.length !== g * g) throw new Error(`probabilityMapPNG: ${p.length} values for a ${g}x${g} grid`);
  const px = new Uint8Array(g * g * 3);
  for (let r = 0; r < g; r++) for (let j = 0; j < g; j++) {
    const rgb = redBlue(p[(g - 1 - r) * g + j]);
    px.set(rgb, (r * g + j) * 3);
  }
  return pngDataURL(encodePNG(px, g, g, 3, scale));
}

/**
 * Plot 7: p_view(class 1) on the grid as an embedded raster (red = class 0, blue = class 1), the
 * labelled points on top and at most `maxUnlabelled` unlabelled points (evenly subsampled);
 * column = variant, row = view.
 */
export function toyBoundaries(m: ToyMetrics, o: { cell?: number; maxUnlabelled?: number } = {}): VlSpec {
  const g = m.grid.xs.length, step = m.grid.xs[1] - m.grid.xs[0];
  const lo = m.grid.xs[0] - step / 2, hi = m.grid.xs[g - 1] + step / 2;
  const unl = m.points.filter((p) => !p.labelled), lab = m.points.filter((p) => p.labelled);
  const keep = Math.min(unl.length, o.maxUnlabelled ?? 250);
  const shown = [...lab, ...Array.from({ length: keep }, (_, k) => unl[Math.floor((k * unl.length) / keep)])];
  const rows: object[] = [];
  for (const v of m.variants) {
    v.prob1.forEach((p, view) => {
      rows.push({ kind: 'map', variant: v.variant, view: `view ${view + 1}`, x: (lo + hi) / 2, y: (lo + hi) / 2, url: probabilityMapPNG(p, g) });
      for (const pt of shown) rows.push({ kind: pt.labelled ? 'labelled' : 'unlabelled', variant: v.variant, view: `view ${view + 1}`, x: +pt.x.toFixed(3), y: +pt.y.toFixed(3), label: String(pt.label) });
    });
  }
  const cell = o.cell ?? 180;
  const xq = { field: 'x', type: 'quantitative', scale: { domain: [lo, hi], nice: false }, title: null };
  const yq = { field: 'y', type: 'quantitative', scale: { domain: [lo, hi], nice: false }, title: null };
  return {
    $schema: VEGA_LITE_SCHEMA, title: `Two moons, ${lab.length} labels: p(class 1) per view (red = class 0, blue = class 1; ${keep} of ${unl.length} unlabelled points drawn)`,
    data: { values: rows },
    facet: { column: { field: 'variant', type: 'nominal', sort: m.variants.map((v) => v.variant) }, row: { field: 'view', type: 'nominal' } },
    spec: {
      width: cell, height: cell,
      layer: [
        { transform: [{ filter: "datum.kind === 'map'" }], mark: { type: 'image', width: cell, height: cell, aspect: false, aria: false },
          encoding: { x: xq, y: yq, url: { field: 'url', type: 'nominal' } } },
        { transform: [{ filter: "datum.kind === 'unlabelled'" }], mark: { type: 'point', size: 6, filled: true, opacity: 0.5, color: '#333' },
          encoding: { x: xq, y: yq } },
        { transform: [{ filter: "datum.kind === 'labelled'" }], mark: { type: 'point', size: 160, filled: true, stroke: 'black', strokeWidth: 1.5 },
          encoding: { x: xq, y: yq, shape: { field: 'label', type: 'nominal', title: 'labelled class' }, fill: { value: 'yellow' } } },
      ],
    },
  };
}

/** Plot 6: rows = test images; columns = clean, g1(x), g2(x), sign perturbation of view 1 (PNG image grid). */
export function adversarialGrid(items: { clean: number[]; g1: number[]; g2: number[]; label: number; p1: number[]; p2: number[] }[], side: number, classNames: string[]): VlSpec {
  const argmax = (p: number[]) => p.indexOf(Math.max(...p));
  const images: number[][] = [], captions: string[] = [];
  items.forEach((it, r) => {
    images.push(it.clean, it.g1, it.g2, it.g1.map((v, i) => Math.sign(v - it.clean[i]) * 0.5 + 0.5));
    captions.push(`#${r} ${classNames[it.label]}`, `g1: p1=${classNames[argmax(it.p1)]}`, `g2: p2=${classNames[argmax(it.p2)]}`, 'sign(g1(x) - x)');
  });
  const spec = imageGrid(images, { shape: [side, side], columns: 4, captions, range: [0, 1], size: 84 });
  return { ...spec, title: 'FGSM adversarial examples of the two views (columns: clean, g1(x), g2(x), sign(g1(x) - x); eps in [0,1] pixel units)' };
}
