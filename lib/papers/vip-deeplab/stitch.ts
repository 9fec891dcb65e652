// Stitching video panoptic predictions across pairs by mask IoU (spec §2.4; T §7.3.1.3, R: deeplab2
// `get_stitch_video_panoptic_prediction_info`). A segment of R_t and one of P_{t+1} are linked iff
// same class, both thing, they intersect, and each is the other's max-IoU partner. Unlinked objects
// become new instances; ids are never reused within a sequence.

function pairKey(a: number, b: number): string { return `${a},${b}`; }

/**
 * Mutual-best IoU matches between the thing segments of `prev` and `next` (same class, IoU > 0).
 * Returns Map<nextId, prevId>. Ties: pairs are scanned in ascending IoU (stable on first-appearance
 * order) and the later one wins, as deeplab2's sort-then-overwrite.
 */
export function mutualBestMatches(prev: Int32Array, next: Int32Array, labelDivisor: number): Map<number, number> {
  if (prev.length !== next.length) throw new Error(`mutualBestMatches: maps differ in size (${prev.length} vs ${next.length})`);
  const L = labelDivisor;
  const areaA = new Map<number, number>(), areaB = new Map<number, number>();
  const inter = new Map<string, { a: number; b: number; n: number }>();
  for (let i = 0; i < prev.length; i++) {
    const a = prev[i], b = next[i];
    if (a % L !== 0) areaA.set(a, (areaA.get(a) ?? 0) + 1);
    if (b % L !== 0) areaB.set(b, (areaB.get(b) ?? 0) + 1);
    if (a % L === 0 || b % L === 0 || Math.floor(a / L) !== Math.floor(b / L)) continue;
    const k = pairKey(a, b);
    const e = inter.get(k);
    if (e) e.n++; else inter.set(k, { a, b, n: 1 });
  }
  const pairs = [...inter.values()].map((e) => ({ a: e.a, b: e.b, iou: e.n / (areaA.get(e.a)! + areaB.get(e.b)! - e.n) }));
  pairs.sort((p, q) => p.iou - q.iou); // Array.prototype.sort is stable
  const bestB = new Map<number, number>(), bestA = new Map<number, number>();
  for (const p of pairs) { bestB.set(p.a, p.b); bestA.set(p.b, p.a); }
  const out = new Map<number, number>();
  for (const [b, a] of bestA) if (bestB.get(a) === b) out.set(b, a);
  return out;
}

/**
 * deeplab2's single-pair stitch (numpy version): shift every non-zero instance id of `next` by
 * `overlapOffset` (default 128), then overwrite the matched segments with the id of `prev`.
 */
export function stitchPair(prev: Int32Array, next: Int32Array, labelDivisor: number, overlapOffset = 128): Int32Array {
  const m = mutualBestMatches(prev, next, labelDivisor);
  const L = labelDivisor;
  const out = new Int32Array(next.length);
  for (let i = 0; i < next.length; i++) {
    const b = next[i];
    const hit = m.get(b);
    out[i] = hit !== undefined ? hit : b % L === 0 ? b : b + overlapOffset;
  }
  return out;
}

/** Per-class id source that never hands out an id twice. */
function idCounter(L: number) {
  const max = new Map<number, number>();
  return {
    see(id: number) { const c = Math.floor(id / L), k = id % L; if (k > (max.get(c) ?? 0)) max.set(c, k); },
    fresh(cls: number): number {
      const k = (max.get(cls) ?? 0) + 1;
      if (k >= L) throw new Error(`stitch: class ${cls} ran out of instance ids (labelDivisor ${L})`);
      max.set(cls, k);
      return cls * L + k;
    },
  };
}

function remap(m: Int32Array, map: Map<number, number>): Int32Array {
  const out = new Int32Array(m.length);
  for (let i = 0; i < m.length; i++) out[i] = map.get(m[i]) ?? m[i];
  return out;
}

export interface PairPrediction { left: Int32Array; right: Int32Array }

/**
 * Stitch T-1 pair predictions (P_t, R_t), t = 0..T-2, into T frames with global ids (spec §2.4,
 * sequence algorithm). Both halves of a pair are relabelled with the same map. The last frame is
 * R_{T-2} (choice (D), pitfall 6). One pair gives two frames.
 */
export function stitchSequence(pairs: PairPrediction[], labelDivisor: number): Int32Array[] {
  if (pairs.length === 0) throw new Error('stitchSequence: need at least one pair');
  const L = labelDivisor;
  const ids = idCounter(L);
  for (const m of [pairs[0].left, pairs[0].right]) for (const id of m) if (id % L !== 0) ids.see(id);
  const out: Int32Array[] = [pairs[0].left.slice()];
  let rg = pairs[0].right.slice();
  for (let t = 1; t < pairs.length; t++) {
    const { left, right } = pairs[t];
    if (left.length !== rg.length || right.length !== rg.length) throw new Error(`stitchSequence: pair ${t} has a different frame size`);
    const matches = mutualBestMatches(rg, left, L);
    const map = new Map<number, number>();
    for (const m of [left, right]) {
      for (const a of m) {
        if (a % L === 0 || map.has(a)) continue;
        map.set(a, matches.get(a) ?? ids.fresh(Math.floor(a / L)));
      }
    }
    out.push(remap(left, map));
    rg = remap(right, map);
  }
  out.push(rg);
  return out;
}

/**
 * Naive baseline: per-frame panoptic predictions linked by mutual-best IoU between consecutive
 * frames directly (no next-frame branch). Unmatched segments get new ids.
 */
export function linkFramesByIoU(frames: Int32Array[], labelDivisor: number): Int32Array[] {
  if (frames.length === 0) throw new Error('linkFramesByIoU: need at least one frame');
  const L = labelDivisor;
  const ids = idCounter(L);
  for (const id of frames[0]) if (id % L !== 0) ids.see(id);
  const out = [frames[0].slice()];
  for (let t = 1; t < frames.length; t++) {
    const matches = mutualBestMatches(out[t - 1], frames[t], L);
    const map = new Map<number, number>();
    for (const a of frames[t]) {
      if (a % L === 0 || map.has(a)) continue;
      map.set(a, matches.get(a) ?? ids.fresh(Math.floor(a / L)));
    }
    out.push(remap(frames[t], map));
  }
  return out;
}
