// Initial values of the lookup tables, laid out [ch][k][d] (row ch*K + k of the table variable).
// The paper says only "initialized evenly between -1 and 1"; both readings are offered (spec 9.1).
import { makeRng } from '../../util/random';

export type TableInitKind = 'linspace' | 'uniform' | 'scale01' | 'standardize' | 'identity';
export const TABLE_INITS: TableInitKind[] = ['linspace', 'uniform', 'scale01', 'standardize', 'identity'];

export interface TableInitOptions {
  /** CMP-rate, so entry k stands for intensity k*c ('scale01', 'standardize'). Default 1. */
  cmpRate?: number;
  /** Seed of 'uniform'. */
  seed?: number;
  /** Per-channel mean and std in the [0, 1] scale ('standardize'). */
  mean?: number[];
  std?: number[];
}

/**
 * Table values for C channels, K entries, vector dimension u.
 * - 'linspace' (default, [ours] literal reading): T[k][d] = -1 + 2k/(K-1) for every channel and d, so a
 *   u = 1 full table starts exactly as the standard input x/127.5 - 1.
 * - 'uniform': i.i.d. U(-1, 1), the embedding idiom (the other reading; fails on ColorBandShapes in short runs).
 * - 'scale01': T[k][0] = k*c/255; 'standardize': (k*c/255 - mean_ch)/std_ch; 'identity': T[k][0] = k (tests).
 */
export function initTableValues(kind: TableInitKind | Float32Array, K: number, u: number, C: number, opts: TableInitOptions = {}): Float32Array {
  const n = C * K * u;
  if (kind instanceof Float32Array) {
    if (kind.length !== n) throw new Error(`initTableValues: custom table has ${kind.length} values, expected C*K*u = ${C}*${K}*${u} = ${n}`);
    return new Float32Array(kind);
  }
  const c = opts.cmpRate ?? 1;
  const out = new Float32Array(n);
  const at = (ch: number, k: number, d: number) => (ch * K + k) * u + d;
  switch (kind) {
    case 'linspace':
      for (let ch = 0; ch < C; ch++) for (let k = 0; k < K; k++) {
        const v = K === 1 ? 0 : -1 + (2 * k) / (K - 1);
        for (let d = 0; d < u; d++) out[at(ch, k, d)] = v;
      }
      return out;
    case 'uniform': {
      const rng = makeRng(opts.seed ?? 0);
      for (let i = 0; i < n; i++) out[i] = 2 * rng.next() - 1;
      return out;
    }
    case 'scale01':
      for (let ch = 0; ch < C; ch++) for (let k = 0; k < K; k++) out[at(ch, k, 0)] = (k * c) / 255;
      return out;
    case 'standardize': {
      const { mean, std } = opts;
      if (!mean || !std || mean.length !== C || std.length !== C) {
        throw new Error(`initTableValues: 'standardize' needs mean and std arrays of length ${C} (one per channel)`);
      }
      for (let ch = 0; ch < C; ch++) {
        if (!(std[ch] > 0)) throw new Error(`initTableValues: std[${ch}] must be > 0, got ${std[ch]}`);
        for (let k = 0; k < K; k++) out[at(ch, k, 0)] = ((k * c) / 255 - mean[ch]) / std[ch];
      }
      return out;
    }
    case 'identity':
      for (let ch = 0; ch < C; ch++) for (let k = 0; k < K; k++) out[at(ch, k, 0)] = k;
      return out;
    default:
      throw new Error(`initTableValues: unknown init '${kind as string}', use one of ${TABLE_INITS.join(', ')} or a Float32Array`);
  }
}
