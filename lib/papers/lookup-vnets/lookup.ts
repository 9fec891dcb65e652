// The Lookup-VNet input layer (paper eq. 3): every channel's raw integer intensity indexes that
// channel's table; the looked-up vectors are concatenated channel-major along the last axis
// ([R_0..R_{u-1}, G_0.., B_0..], spec 9.2 [ours]). No preprocessing: raw 0..255 integers go in.
//
// Gradient: dL/dT[row] = scatter-add of dy over the pixels that read `row` (an embedding gradient).
// It is written as a customGrad with scatterND, which keeps the indices and is registered on every
// backend (wasm included), instead of relying on gather's UnsortedSegmentSum gradient.
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer, NamedVar } from '../../nn/types';
import { numEntries } from './codes';
import { initTableValues, TableInitKind, TableInitOptions } from './init';

export interface LookupConfig {
  /** C: one table per channel (3 = RGB, 1 = grayscale). Default 3. */
  channels?: number;
  /** u: vector dimension of each entry. Default 1. Must be 1 for compressed tables (paper). */
  dim?: number;
  /** c: CMP-rate; 1 = full 256-entry tables. Default 1. */
  cmpRate?: number;
  /** Initial values (spec 9.1). Default 'linspace'. */
  init?: TableInitKind | Float32Array;
  seed?: number;
  mean?: number[];
  std?: number[];
  /** false freezes the tables (moved to `state`, so no optimiser sees them). Default true. */
  trainable?: boolean;
  /** Vectors in compressed tables: not in the paper. Default false. */
  allowCompressedVectors?: boolean;
  /** Check that inputs are integers in [0, 255] (one small sync per call). Default true. */
  validate?: boolean;
  /** Weight decay applies to the table (spec 9.7: unstated; default true, same wd as the net). */
  decay?: boolean;
  name?: string;
}

export interface LookupLayer extends Layer {
  readonly table: tf.Variable;
  readonly channels: number;
  readonly dim: number;
  readonly cmpRate: number;
  /** K = ceil(256 / c). */
  readonly entries: number;
  /** C*u: depth of the looked-up image, the backbone's input channels. */
  readonly outChannels: number;
  /** Integer indices q = floor(x / c), int32 [N,H,W,C]: what a compressed image stores. */
  encode(x: tf.Tensor): tf.Tensor;
  /** Looked-up floats from stored indices q (int32 [N,H,W,C]). */
  decode(q: tf.Tensor): tf.Tensor;
  /** The current table as [C][K][u]. */
  tableValues(): number[][][];
}

function toIntImage(x: tf.Tensor, C: number, validate: boolean, who: string): tf.Tensor {
  if (x.rank !== 4 || x.shape[3] !== C) {
    throw new Error(`${who}: expected integer images [N, H, W, ${C}], got shape [${x.shape.join(', ')}]`);
  }
  if (validate) {
    const mm = tf.tidy(() => tf.stack([tf.min(x).cast('float32'), tf.max(x).cast('float32'),
      x.dtype === 'int32' ? tf.scalar(0) : tf.max(tf.abs(tf.sub(x, tf.round(x))))]));
    const [lo, hi, frac] = mm.dataSync();
    mm.dispose();
    if (x.size > 0 && (lo < 0 || hi > 255)) throw new Error(`${who}: pixel values must be raw integers in [0, 255], got range [${lo}, ${hi}] (do not standardise Lookup-VNet inputs)`);
    if (frac > 0) throw new Error(`${who}: pixel values must be integers (indices into the tables), got non-integer values`);
  }
  return x.dtype === 'int32' ? x : tf.cast(tf.round(x), 'int32');
}

/** q = floor(x / c) on int32 images. */
export function quantize(xInt: tf.Tensor, c: number): tf.Tensor {
  return c === 1 ? tf.clone(xInt) : tf.floorDiv(xInt, tf.scalar(c, 'int32'));
}

/** Flat row indices ch*K + q into the [C*K, u] table. */
function rowIndices(q: tf.Tensor, K: number): tf.Tensor1D {
  const C = q.shape[q.rank - 1];
  return tf.reshape(tf.add(q, tf.range(0, C * K, K, 'int32')), [-1]);
}

/**
 * x' = lookup(x, T) for a table tensor T [C*K, u] and indices q [N,H,W,C] (already floor(x/c)).
 * Output float32 [N,H,W,C*u], channel-major. Exact scatter-add gradient for T on every backend.
 */
export function lookupIndices(q: tf.Tensor, table: tf.Tensor, K: number): tf.Tensor4D {
  if (q.rank !== 4) throw new Error(`lookup: expected indices [N, H, W, C], got shape [${q.shape.join(', ')}]`);
  const [N, H, W, C] = q.shape;
  const u = table.shape[1]!;
  if (table.rank !== 2 || table.shape[0] !== C * K) {
    throw new Error(`lookup: table must be [C*K, u] = [${C * K}, u], got [${table.shape.join(', ')}]`);
  }
  const idx = rowIndices(q, K);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([idx]);
    return {
      value: tf.reshape(tf.gather(t, idx), [N, H, W, C * u]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.scatterND(tf.reshape(saved[0], [-1, 1]), tf.reshape(dy, [-1, u]), t.shape),
    };
  });
  const out = op(table) as tf.Tensor4D;
  idx.dispose();
  return out;
}

/** Full lookup from raw integer images: x' = T[floor(x/c)]. */
export function lookupOp(xInt: tf.Tensor, table: tf.Tensor, cmpRate = 1): tf.Tensor4D {
  const K = numEntries(cmpRate);
  return tf.tidy(() => lookupIndices(quantize(xInt, cmpRate), table, K));
}

/** Build the lookup-table layer that sits in front of any backbone (Layer contract of lib/nn). */
export function makeLookupInput(cfg: LookupConfig = {}): LookupLayer {
  const C = cfg.channels ?? 3;
  const u = cfg.dim ?? 1;
  const c = cfg.cmpRate ?? 1;
  const name = cfg.name ?? 'lookup';
  if (!Number.isInteger(C) || C < 1) throw new Error(`LookupInput: channels must be a positive integer, got ${C}`);
  if (!Number.isInteger(u) || u < 1) throw new Error(`LookupInput: dim (vector dimension u) must be a positive integer, got ${u}`);
  const K = numEntries(c);
  if (c > 1 && u > 1 && !cfg.allowCompressedVectors) {
    throw new Error(`LookupInput: compressed tables hold scalars in the paper (dim must be 1 when cmpRate = ${c} > 1); set allowCompressedVectors to override`);
  }
  const init = initTableValues(cfg.init ?? 'linspace', K, u, C, { cmpRate: c, seed: cfg.seed, mean: cfg.mean, std: cfg.std });
  const trainable = cfg.trainable ?? true;
  // tidy disposes the initial tensor; the variable keeps its own reference to the data
  const table = tf.tidy(() => tf.variable(tf.tensor2d(init, [C * K, u]), trainable));
  const nv: NamedVar = { path: `${name}/table`, variable: table, decay: cfg.decay ?? true };
  const validate = cfg.validate ?? true;
  const layer: LookupLayer = {
    name,
    params: trainable ? [nv] : [],
    state: trainable ? [] : [nv],
    children: [],
    table,
    channels: C,
    dim: u,
    cmpRate: c,
    entries: K,
    outChannels: C * u,
    apply(x: tf.Tensor, _ctx?: Ctx): tf.Tensor {
      return tf.tidy(() => {
        const xi = toIntImage(x, C, validate, `LookupInput '${name}'`);
        return lookupIndices(quantize(xi, c), table, K);
      });
    },
    encode(x: tf.Tensor): tf.Tensor {
      return tf.tidy(() => quantize(toIntImage(x, C, validate, `LookupInput '${name}'.encode`), c));
    },
    decode(q: tf.Tensor): tf.Tensor {
      return tf.tidy(() => {
        const qi = q.dtype === 'int32' ? q : tf.cast(q, 'int32');
        if (qi.rank !== 4 || qi.shape[3] !== C) throw new Error(`LookupInput '${name}'.decode: expected indices [N, H, W, ${C}], got [${q.shape.join(', ')}]`);
        return lookupIndices(qi, table, K);
      });
    },
    tableValues(): number[][][] {
      const v = table.dataSync();
      const out: number[][][] = [];
      for (let ch = 0; ch < C; ch++) {
        const rows: number[][] = [];
        for (let k = 0; k < K; k++) rows.push(Array.from(v.subarray((ch * K + k) * u, (ch * K + k + 1) * u)));
        out.push(rows);
      }
      return out;
    },
  };
  return layer;
}
