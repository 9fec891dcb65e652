// Bundles of data streams (thesis §3.2.3, §3.2.5) and the random view pairing of multi-view DCT
// (eq. 3.8). Index arrays only; tensors are made by the trainer.
import { makeRng, type Rng } from '../../util/random';

/** One iteration of a bundle: each stream's labelled indices (equal sizes) and the shared unlabelled ones. */
export interface BundleBatch {
  /** Labelled indices per stream (ds[0] for the first network of the pair, ds[1] for the second). */
  ds: Int32Array[];
  /** Unlabelled indices, identical for every stream of the bundle. */
  du: Int32Array;
}

/** Split n items into k chunk sizes that differ by at most 1 (the larger ones first). */
export function evenChunks(n: number, k: number): number[] {
  if (!Number.isInteger(k) || k <= 0) throw new Error(`evenChunks: k must be a positive integer, got ${k}`);
  const base = Math.floor(n / k), extra = n % k;
  return Array.from({ length: k }, (_, i) => base + (i < extra ? 1 : 0));
}

export interface StreamBundleOptions {
  labelled: ArrayLike<number>;
  unlabelled: ArrayLike<number>;
  /** Total stream batch B = |d_s| + |d_u| (100 for SVHN/CIFAR). */
  batchSize: number;
  /** Streams per bundle (2: one per network of a pair). */
  streams?: number;
  seed: number;
}

/**
 * The thesis' batch construction [choice consistent with §3.2.5]: K = ceil(|D|/B) iterations per
 * epoch; each stream permutes S independently and cuts it into K chunks of sizes differing by <= 1
 * (the same size sequence for all streams); the bundle permutes U once and cuts it likewise. So each
 * epoch every labelled image is seen once per stream and every unlabelled image once per bundle,
 * and every batch holds labelled data in proportion ~|S|/|D|.
 */
export function streamBundle(o: StreamBundleOptions): { itersPerEpoch: number; epoch(e: number): BundleBatch[] } {
  const S = Int32Array.from(o.labelled), U = Int32Array.from(o.unlabelled);
  const streams = o.streams ?? 2;
  if (!Number.isInteger(o.batchSize) || o.batchSize <= 0) throw new Error(`streamBundle: batchSize must be a positive integer, got ${o.batchSize}`);
  if (S.length === 0) throw new Error('streamBundle: the labelled set S is empty');
  const K = Math.ceil((S.length + U.length) / o.batchSize);
  // With fewer labelled images than iterations (the 6-label toy, never the thesis' benchmarks) some
  // batches would get no labelled data; each stream then concatenates fresh permutations of S until
  // every batch has one [choice]. Otherwise every labelled image is seen exactly once per epoch.
  const reps = Math.ceil(K / S.length);
  const sTotal = reps === 1 ? S.length : K;
  const sSizes = evenChunks(sTotal, K), uSizes = evenChunks(U.length, K);
  return {
    itersPerEpoch: K,
    epoch(e: number): BundleBatch[] {
      const rng: Rng = makeRng(o.seed).fork(`epoch-${e}`);
      const uPerm = rng.fork('U').permutation(U.length);
      const sPerms = Array.from({ length: streams }, (_, s) => {
        const r = rng.fork(`S${s}`);
        const cat = new Int32Array(reps * S.length);
        for (let k = 0; k < reps; k++) cat.set(r.permutation(S.length), k * S.length);
        return cat.subarray(0, sTotal);
      });
      const out: BundleBatch[] = [];
      let si = 0, ui = 0;
      for (let k = 0; k < K; k++) {
        const ds = sPerms.map((p) => Int32Array.from(p.subarray(si, si + sSizes[k]), (j) => S[j]));
        const du = Int32Array.from(uPerm.subarray(ui, ui + uSizes[k]), (j) => U[j]);
        si += sSizes[k]; ui += uSizes[k];
        out.push({ ds, du });
      }
      return out;
    },
  };
}

export type Pairing = 'random' | 'fixed';

/**
 * Pairs of views for one iteration. 'random' (eq. 3.8): a fresh random permutation cut into
 * consecutive pairs; 'fixed' (eq. 3.7, "fake multi-view"): (0,1), (2,3), ... Pair i uses bundle i.
 */
export function pairViews(n: number, how: Pairing, rng: Rng): [number, number][] {
  if (!Number.isInteger(n) || n < 2 || n % 2 !== 0) throw new Error(`pairViews: the number of views must be even and >= 2, got ${n}`);
  if (how !== 'random' && how !== 'fixed') throw new Error(`pairViews: unknown pairing '${how}' (use 'random' or 'fixed')`);
  const order = how === 'fixed' ? Int32Array.from({ length: n }, (_, i) => i) : rng.permutation(n);
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i += 2) pairs.push([order[i], order[i + 1]]);
  return pairs;
}
