// Run-length encoded masks, a line-by-line port of pycocotools' maskApi.c (encode, decode, merge,
// area, toBbox, iou, the compressed string form). Masks in this library are Uint8Array of h*w
// indexed [row*w + col] (row-major, like an image); RLE runs are over the column-major (Fortran)
// order, as in pycocotools, so the strings interoperate with COCO files.
import type { BoxXYWH, Rle, RleObj } from './types';
import { bboxIou } from './box-iou';

function checkMask(mask: ArrayLike<number>, h: number, w: number, fn: string): void {
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 0 && w >= 0)) throw new Error(`${fn}: height and width must be non-negative integers, got ${h}x${w}`);
  if (mask.length !== h * w) throw new Error(`${fn}: mask has ${mask.length} values, expected h*w = ${h}*${w} = ${h * w}`);
}

/** Encodes a binary mask (row-major h*w, nonzero = 1) as uncompressed RLE (maskApi rleEncode). */
export function rleEncode(mask: ArrayLike<number>, h: number, w: number): Rle {
  checkMask(mask, h, w, 'rleEncode');
  const n = h * w;
  const cnts: number[] = [];
  let p = 0, c = 0;
  for (let col = 0; col < w; col++) {
    for (let row = 0; row < h; row++) {
      const v = mask[row * w + col] ? 1 : 0;
      if (v !== p) { cnts.push(c); c = 0; p = v; }
      c++;
    }
  }
  cnts.push(c); // an empty mask (n = 0) gives [0], as maskApi.c
  void n;
  return { h, w, counts: Uint32Array.from(cnts) };
}

/** Decodes RLE to a row-major Uint8Array mask of h*w (maskApi rleDecode). */
export function rleDecode(r: Rle): Uint8Array {
  const { h, w, counts } = r;
  const out = new Uint8Array(h * w);
  let idx = 0, v = 0;
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j];
    if (idx + c > h * w) throw new Error(`rleDecode: runs sum past h*w = ${h * w} (corrupt RLE)`);
    if (v) for (let k = idx; k < idx + c; k++) out[(k % h) * w + Math.floor(k / h)] = 1;
    idx += c; v = 1 - v;
  }
  return out;
}

/** Number of 1-pixels (maskApi rleArea). */
export function rleArea(r: Rle): number {
  let a = 0;
  for (let j = 1; j < r.counts.length; j += 2) a += r.counts[j];
  return a;
}

/** Tight box [x, y, w, h] of the 1-pixels, [0,0,0,0] if empty (maskApi rleToBbox, including its
 *  rule that a run crossing a column boundary spans the full height). */
export function rleToBbox(r: Rle): BoxXYWH {
  const { h, w: _w } = r;
  let m = Math.floor(r.counts.length / 2) * 2;
  if (m === 0) return [0, 0, 0, 0];
  let xs = _w, ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
  for (let j = 0; j < m; j++) {
    cc += r.counts[j];
    const t = cc - (j % 2);
    const y = t % h, x = (t - y) / h;
    if (j % 2 === 0) xp = x;
    else if (xp < x) { ys = 0; ye = h - 1; }
    xs = Math.min(xs, x); xe = Math.max(xe, x); ys = Math.min(ys, y); ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

/** Compressed string form of the counts (maskApi rleToString). */
export function rleToString(r: Rle): string {
  const cn = r.counts;
  let s = '';
  for (let i = 0; i < cn.length; i++) {
    let x = cn[i];
    if (i > 2) x -= cn[i - 2];
    let more = true;
    while (more) {
      // x & 0x1f and an arithmetic x >> 5, valid beyond 32 bits.
      let c = ((x % 32) + 32) % 32;
      x = Math.floor(x / 32);
      more = (c & 0x10) ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/** Parses the compressed string form (maskApi rleFrString). */
export function rleFromString(s: string, h: number, w: number): Rle {
  const cnts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0, k = 0, more = true;
    while (more) {
      if (p >= s.length) throw new Error(`rleFromString: truncated RLE string ${JSON.stringify(s.slice(0, 40))}`);
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new Error(`rleFromString: invalid character ${JSON.stringify(s[p])} at ${p}`);
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++; k++;
      if (!more && (c & 0x10)) x -= 2 ** (5 * k);
    }
    if (cnts.length > 2) x += cnts[cnts.length - 2];
    if (x < 0) throw new Error(`rleFromString: negative run length decoded (corrupt RLE string)`);
    cnts.push(x);
  }
  const total = cnts.reduce((a, v) => a + v, 0);
  if (total !== h * w) throw new Error(`rleFromString: runs sum to ${total}, expected h*w = ${h}*${w} = ${h * w}`);
  return { h, w, counts: Uint32Array.from(cnts) };
}

/** RLE -> COCO JSON object with the compressed string (what pycocotools' encode returns). */
export function rleToObj(r: Rle): RleObj {
  return { size: [r.h, r.w], counts: rleToString(r) };
}

/** COCO JSON RLE (compressed string or uncompressed list) -> RLE. */
export function rleFromObj(o: RleObj): Rle {
  const [h, w] = o.size;
  if (typeof o.counts === 'string') return rleFromString(o.counts, h, w);
  const counts = Uint32Array.from(o.counts);
  const total = o.counts.reduce((a, v) => a + v, 0);
  if (total !== h * w) throw new Error(`rleFromObj: uncompressed counts sum to ${total}, expected h*w = ${h * w}`);
  return { h, w, counts };
}

/** Convenience: mask -> compressed COCO RLE object. */
export function encodeMask(mask: ArrayLike<number>, h: number, w: number): RleObj {
  return rleToObj(rleEncode(mask, h, w));
}

/** Convenience: COCO RLE object -> row-major mask. */
export function decodeMask(o: RleObj): Uint8Array {
  return rleDecode(rleFromObj(o));
}

/** Union (or intersection) of RLEs of the same size (maskApi rleMerge). */
export function rleMerge(rles: Rle[], intersect = false): Rle {
  if (rles.length === 0) throw new Error('rleMerge: needs at least one RLE');
  const { h, w } = rles[0];
  for (const r of rles) if (r.h !== h || r.w !== w) throw new Error(`rleMerge: size mismatch ${r.h}x${r.w} vs ${h}x${w}`);
  if (rles.length === 1) return { h, w, counts: rles[0].counts.slice() };
  const acc = rleDecode(rles[0]);
  for (let i = 1; i < rles.length; i++) {
    const m = rleDecode(rles[i]);
    for (let k = 0; k < acc.length; k++) acc[k] = intersect ? (acc[k] & m[k]) : (acc[k] | m[k]);
  }
  return rleEncode(acc, h, w);
}

/** Intersection pixel count of two RLEs of the same size, by walking both run lists. */
export function rleIntersection(a: Rle, b: Rle): number {
  let ia = 0, ib = 0, ca = a.counts[0] ?? 0, cb = b.counts[0] ?? 0, va = false, vb = false, inter = 0;
  for (;;) {
    // skip exhausted runs
    while (ca === 0 && ia + 1 < a.counts.length) { ca = a.counts[++ia]; va = !va; }
    while (cb === 0 && ib + 1 < b.counts.length) { cb = b.counts[++ib]; vb = !vb; }
    if (ca === 0 || cb === 0) break;
    const c = Math.min(ca, cb);
    if (va && vb) inter += c;
    ca -= c; cb -= c;
  }
  return inter;
}

/**
 * IoU matrix [D][G] between detection and GT masks (maskApi rleIou): for a crowd GT the union is
 * the detection's area. Pairs whose boxes do not overlap are 0 without walking runs, as pycocotools.
 * Pairs of different image sizes give -1 (pycocotools' value).
 */
export function rleIou(dts: Rle[], gts: Rle[], iscrowd?: ArrayLike<number | boolean>): number[][] {
  if (iscrowd && iscrowd.length !== gts.length) throw new Error(`rleIou: iscrowd has ${iscrowd.length} entries for ${gts.length} GTs`);
  const db = dts.map(rleToBbox), gb = gts.map(rleToBbox);
  const o = bboxIou(db, gb, iscrowd);
  for (let d = 0; d < dts.length; d++) {
    for (let g = 0; g < gts.length; g++) {
      if (!(o[d][g] > 0)) continue;
      if (dts[d].h !== gts[g].h || dts[d].w !== gts[g].w) { o[d][g] = -1; continue; }
      const i = rleIntersection(dts[d], gts[g]);
      const crowd = !!(iscrowd && iscrowd[g]);
      const u = i === 0 ? 1 : crowd ? rleArea(dts[d]) : rleArea(dts[d]) + rleArea(gts[g]) - i;
      o[d][g] = i / u;
    }
  }
  return o;
}
