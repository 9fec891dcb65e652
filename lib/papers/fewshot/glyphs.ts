// Synthetic Omniglot-like "glyph" classes: the offline stand-in for MiniImageNet's 80 + 20 split
// (spec 5.3 B). A class is a prototype of 2-4 strokes (segments or quadratic Béziers, control points in
// [4, 24]^2 px); each sample jitters the control points (sigma 1 px), applies a random affine map
// (rotation ±12°, scale 0.9-1.1, shear ±0.1, translation ±2 px), draws strokes of width U[1.2, 2.4]
// with intensity clamp(1 - dist/width, 0, 1) max-combined, adds N(0, 0.05^2) noise, clips to [0, 1].
// Deterministic in (seed, class, sample).
import { makeRng, Rng } from '../../util/random';

export const GLYPH_SIZE = 28;

type Pt = [number, number];
interface Stroke { p0: Pt; p1: Pt; p2: Pt | null }

function prototype(rng: Rng): Stroke[] {
  const k = 2 + rng.int(3);
  const pt = (): Pt => [4 + rng.next() * 20, 4 + rng.next() * 20];
  return Array.from({ length: k }, () => ({ p0: pt(), p1: pt(), p2: rng.next() < 0.5 ? pt() : null }));
}

/** Points along a stroke (segment p0-p1, or quadratic Bézier p0 -> control p2 -> p1). */
function strokePoints(s: Stroke, steps = 24): Pt[] {
  const out: Pt[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    if (!s.p2) out.push([s.p0[0] + t * (s.p1[0] - s.p0[0]), s.p0[1] + t * (s.p1[1] - s.p0[1])]);
    else {
      const a = (1 - t) * (1 - t); const b = 2 * (1 - t) * t; const c = t * t;
      out.push([a * s.p0[0] + b * s.p2[0] + c * s.p1[0], a * s.p0[1] + b * s.p2[1] + c * s.p1[1]]);
    }
  }
  return out;
}

function distToSegment(px: number, py: number, a: Pt, b: Pt): number {
  const dx = b[0] - a[0]; const dy = b[1] - a[1];
  const L = dx * dx + dy * dy;
  const t = L > 0 ? Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / L)) : 0;
  return Math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy));
}

/** Render one sample of a prototype into `out` (28*28 floats). */
function renderSample(proto: Stroke[], rng: Rng, out: Float32Array): void {
  const jit = (p: Pt): Pt => [p[0] + rng.normal(), p[1] + rng.normal()];
  const rot = ((rng.next() * 2 - 1) * 12 * Math.PI) / 180;
  const sc = 0.9 + rng.next() * 0.2;
  const sh = (rng.next() * 2 - 1) * 0.1;
  const tx = (rng.next() * 2 - 1) * 2; const ty = (rng.next() * 2 - 1) * 2;
  const c = GLYPH_SIZE / 2;
  const aff = (p: Pt): Pt => {
    const x = p[0] - c; const y = p[1] - c;
    const xs = x + sh * y;
    return [sc * (Math.cos(rot) * xs - Math.sin(rot) * y) + c + tx, sc * (Math.sin(rot) * xs + Math.cos(rot) * y) + c + ty];
  };
  const polylines: { pts: Pt[]; w: number }[] = proto.map((s) => {
    const j: Stroke = { p0: jit(s.p0), p1: jit(s.p1), p2: s.p2 ? jit(s.p2) : null };
    return { pts: strokePoints(j).map(aff), w: 1.2 + rng.next() * 1.2 };
  });
  // Bounding boxes (grown by the width) let far pixels skip a stroke: its intensity there is 0 anyway.
  const boxes = polylines.map((pl) => {
    const xs = pl.pts.map((p) => p[0]); const ys = pl.pts.map((p) => p[1]);
    return [Math.min(...xs) - pl.w, Math.max(...xs) + pl.w, Math.min(...ys) - pl.w, Math.max(...ys) + pl.w];
  });
  for (let yy = 0; yy < GLYPH_SIZE; yy++) {
    for (let xx = 0; xx < GLYPH_SIZE; xx++) {
      let v = 0;
      for (let s = 0; s < polylines.length; s++) {
        const pl = polylines[s]; const bb = boxes[s];
        if (xx + 0.5 < bb[0] || xx + 0.5 > bb[1] || yy + 0.5 < bb[2] || yy + 0.5 > bb[3]) continue;
        let d = Infinity;
        for (let i = 0; i + 1 < pl.pts.length; i++) d = Math.min(d, distToSegment(xx + 0.5, yy + 0.5, pl.pts[i], pl.pts[i + 1]));
        v = Math.max(v, Math.max(0, Math.min(1, 1 - d / pl.w)));
      }
      out[yy * GLYPH_SIZE + xx] = Math.max(0, Math.min(1, v + 0.05 * rng.normal()));
    }
  }
}

export interface GlyphSet {
  /** [count, 28, 28, 1] row-major pixels in [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  numClasses: number;
  shape: [number, number, number];
}

/** `perClass` samples of each of `numClasses` glyph classes; class-major order. */
export function generateGlyphs(numClasses: number, perClass: number, seed: number, firstClass = 0): GlyphSet {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`generateGlyphs: numClasses must be a positive integer, got ${numClasses}`);
  if (!Number.isInteger(perClass) || perClass < 1) throw new Error(`generateGlyphs: perClass must be a positive integer, got ${perClass}`);
  const px = GLYPH_SIZE * GLYPH_SIZE;
  const images = new Float32Array(numClasses * perClass * px);
  const labels = new Int32Array(numClasses * perClass);
  for (let c = 0; c < numClasses; c++) {
    const cls = firstClass + c;
    const proto = prototype(makeRng(seed * 7919 + cls * 104729 + 1));
    const sr = makeRng(seed * 15485863 + cls * 32452843 + 7);
    for (let s = 0; s < perClass; s++) {
      const i = c * perClass + s;
      renderSample(proto, sr, images.subarray(i * px, (i + 1) * px));
      labels[i] = cls;
    }
  }
  return { images, labels, numClasses, shape: [GLYPH_SIZE, GLYPH_SIZE, 1] };
}

/** The glyphs as a lib/data ImageSet (uint8, maxValue 255) for the shared batch/sampler code. */
export function glyphImageSet(g: GlyphSet): import('../../data/types').ImageSet {
  const n = g.labels.length;
  return {
    images: Uint8Array.from(g.images, (v) => Math.round(v * 255)), shape: [n, GLYPH_SIZE, GLYPH_SIZE, 1], labels: g.labels,
    classNames: Array.from({ length: Math.max(...g.labels) + 1 }, (_, i) => `glyph${i}`), maxValue: 255, source: 'synthetic-glyphs',
  };
}
