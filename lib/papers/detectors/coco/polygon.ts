// Polygon and box rasterisation to RLE, ports of pycocotools' rleFrPoly / rleFrBbox, and annToRLE.
// rleFrPoly up-samples x5, walks the edges, keeps the points where the edge crosses a pixel-column
// centre and turns them into column-major run boundaries. (int) casts in C truncate toward zero:
// Math.trunc here.
import type { Polygon, Rle, Segmentation } from './types';
import { rleFromObj, rleMerge } from './rle';
import { isRleObj } from './validate';

/** Rasterises one polygon [x0, y0, x1, y1, ...] on an h x w canvas (maskApi rleFrPoly). */
export function rleFromPolygon(xy: Polygon, h: number, w: number): Rle {
  if (xy.length < 6 || xy.length % 2 !== 0) throw new Error(`rleFromPolygon: a polygon needs an even number >= 6 of coordinates, got ${xy.length}`);
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 0 && w >= 0)) throw new Error(`rleFromPolygon: bad canvas ${h}x${w}`);
  const k = xy.length / 2, scale = 5;
  const x = new Array<number>(k + 1), y = new Array<number>(k + 1);
  for (let j = 0; j < k; j++) x[j] = Math.trunc(scale * xy[j * 2] + 0.5);
  x[k] = x[0];
  for (let j = 0; j < k; j++) y[j] = Math.trunc(scale * xy[j * 2 + 1] + 0.5);
  y[k] = y[0];
  const u: number[] = [], v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
    const dx = Math.abs(xe - xs), dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) { let t = xs; xs = xe; xe = t; t = ys; ys = ye; ye = t; }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) { const t = flip ? dx - d : d; u.push(t + xs); v.push(Math.trunc(ys + s * t + 0.5)); }
    } else {
      for (let d = 0; d <= dy; d++) { const t = flip ? dy - d : d; v.push(t + ys); u.push(Math.trunc(xs + s * t + 0.5)); }
    }
  }
  // points along the y-boundary, down-sampled
  const bx: number[] = [], by: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0; else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    bx.push(Math.trunc(xd)); by.push(Math.trunc(yd));
  }
  // RLE from the boundary points
  const a: number[] = bx.map((xx, j) => xx * h + by[j]);
  a.push(h * w);
  a.sort((p, q) => p - q);
  let prev = 0;
  for (let j = 0; j < a.length; j++) { const t = a[j]; a[j] -= prev; prev = t; }
  const b: number[] = [];
  let j = 0;
  b.push(a[j++]);
  while (j < a.length) {
    if (a[j] > 0) b.push(a[j++]);
    else { j++; if (j < a.length) b[b.length - 1] += a[j++]; }
  }
  return { h, w, counts: Uint32Array.from(b) };
}

/** Rasterises a box [x, y, w, h] as its 4-corner polygon (maskApi rleFrBbox). */
export function rleFromBbox(bb: ArrayLike<number>, h: number, w: number): Rle {
  const xs = bb[0], xe = xs + bb[2], ys = bb[1], ye = ys + bb[3];
  return rleFromPolygon([xs, ys, xs, ye, xe, ye, xe, ys], h, w);
}

/** COCO annToRLE: polygons -> merged RLE; uncompressed or compressed RLE -> RLE. */
export function annToRle(seg: Segmentation, h: number, w: number): Rle {
  if (isRleObj(seg)) {
    const r = rleFromObj(seg);
    if (r.h !== h || r.w !== w) throw new Error(`annToRle: RLE size ${r.h}x${r.w} differs from the image ${h}x${w}`);
    return r;
  }
  if (!Array.isArray(seg) || seg.length === 0) throw new Error('annToRle: segmentation must be a non-empty polygon list or an RLE');
  return rleMerge(seg.map((poly) => rleFromPolygon(poly, h, w)));
}
