// The GUNN layer (thesis §4.3.2, Eq. 4.4) and its simultaneous counterpart SUNN, one code path.
//
//   GUNN:  s_0 = x;  s_i = s_{i-1} with partition c_i replaced by F_{c_i}(s_{i-1});  out = s_P
//   SUNN:  out_{c_i} = F_{c_i}(x) for every i
//
// Same units, same parameters, same FLOPs; only the state each unit reads differs. Partitions are
// contiguous, equal channel blocks in index order ([code]; the thesis only says "evenly partition").
//
// Training with `customBackward: true` back-propagates with Algorithm 2 (§4.3.4) as a tf.customGrad
// over the whole layer: the forward records nothing on the tape and saves only x and y; the backward
// rebuilds every intermediate state s_{i-1} from y by writing x's values back into partitions
// c_P..c_i, recomputes unit i there (gradient checkpointing) and takes its VJP.
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer } from '../../nn/types';
import type { Rng } from '../../util/random';
import { collectParams } from '../../nn/tree';
import { withFrozenBatchStats } from '../../nn/layers';
import { vjp } from '../../nn/ops';
import type { InitKind } from '../../nn/init';
import { partitionOf, updateUnit, type PartitionUnit, type UnitFactory } from './unit';
import type { UpdateMode } from './config';

/**
 * How step 4-6 of Algorithm 2 are carried out:
 * - 'steps5-6': BP through the channel function F_{c_i}; replace the gradient on c_i, add elsewhere.
 * - 'merged-4.6': BP through G_{c_i} only and add everywhere (Eq. 4.6); residual units only.
 */
export type BackwardRule = 'steps5-6' | 'merged-4.6';

export interface GunnLayerOptions {
  name?: string;
  N: number;
  P: number;
  K?: number;
  M?: number;
  mode?: UpdateMode;
  residual?: boolean;
  projection?: boolean;
  /** Train with Algorithm 2 (custom gradient) instead of autodiff. GUNN mode only. */
  customBackward?: boolean;
  backwardRule?: BackwardRule;
  /** Replace the bottleneck units (tests inject spy / linear units). */
  unitFactory?: UnitFactory;
  init?: InitKind;
}

export interface GunnLayer extends Layer {
  readonly N: number;
  readonly P: number;
  readonly mode: UpdateMode;
  readonly customBackward: boolean;
  readonly units: PartitionUnit[];
  /** Forward by the plain loop (autodiff-able), whatever customBackward says. */
  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor;
}

/** buf with channels [lo, lo+n) replaced by `part`. */
export function replacePartition(buf: tf.Tensor, part: tf.Tensor, lo: number, n: number): tf.Tensor {
  const [b, h, w, c] = buf.shape;
  const pieces: tf.Tensor[] = [];
  if (lo > 0) pieces.push(tf.slice(buf, [0, 0, 0, 0], [b, h, w, lo]));
  pieces.push(part);
  if (lo + n < c) pieces.push(tf.slice(buf, [0, 0, 0, lo + n], [b, h, w, c - lo - n]));
  return pieces.length === 1 ? tf.clone(part) : tf.concat(pieces, 3);
}

export function gunnLayer(o: GunnLayerOptions, rng: Rng): GunnLayer {
  const name = o.name ?? 'gunn';
  const { N, P } = o;
  const K = o.K ?? 2, M = o.M ?? 1;
  const mode = o.mode ?? 'gunn';
  const residual = o.residual ?? true;
  const customBackward = o.customBackward ?? false;
  const rule: BackwardRule = o.backwardRule ?? 'steps5-6';
  const where = `gunnLayer '${name}'`;
  for (const [k, v] of [['N', N], ['P', P], ['K', K], ['M', M]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${where}: ${k} must be a positive integer, got ${v}`);
  }
  if (N % P !== 0) throw new Error(`${where}: N=${N} channels cannot be split into P=${P} equal partitions`);
  if (mode !== 'gunn' && mode !== 'sunn') throw new Error(`${where}: unknown mode '${String(mode)}' (use 'gunn' or 'sunn')`);
  if (customBackward && mode !== 'gunn') throw new Error(`${where}: customBackward (Algorithm 2) is defined for mode 'gunn' only`);
  if (rule !== 'steps5-6' && rule !== 'merged-4.6') throw new Error(`${where}: unknown backwardRule '${String(rule)}'`);
  if (rule === 'merged-4.6' && !residual && !o.unitFactory) {
    throw new Error(`${where}: backwardRule 'merged-4.6' needs residual units (Eq. 4.6 merges steps 5-6 only when F = s_c + G)`);
  }
  const n = N / P;
  const factory: UnitFactory = o.unitFactory
    ?? ((spec, r) => updateUnit(spec, { K, M, residual, projection: o.projection ?? false, init: o.init }, r));
  const units: PartitionUnit[] = [];
  for (let i = 0; i < P; i++) {
    const u = factory({ index: i, N, lo: i * n, n }, rng);
    if (u.lo !== i * n || u.n !== n || u.N !== N) {
      throw new Error(`${where}: unit ${i} covers channels [${u.lo}, ${u.lo + u.n}) of ${u.N}, expected [${i * n}, ${(i + 1) * n}) of ${N}`);
    }
    units.push(u);
  }
  const unitVars = () => units.map((u) => collectParams(u).map((v) => v.variable as tf.Tensor));

  /** The update loop. `release` frees each state as soon as its unit has read it (untaped forward). */
  const loop = (x: tf.Tensor, ctx: Ctx, release: boolean): tf.Tensor => tf.tidy(() => {
    // Copy the array: tfjs records the very array tf.split returns as the tape node's outputs, so
    // writing parts[i] into it would silently re-route gradients (wrong dL/dx). tf.split's gradient
    // also breaks for a single output in tfjs 4.22, hence the P = 1 case.
    const parts = P === 1 ? [tf.clone(x)] : [...tf.split(x, P, 3)];
    for (let i = 0; i < P; i++) {
      const state = mode === 'sunn' || i === 0 ? x : tf.concat(parts, 3);
      const next = units[i].apply(state, ctx);
      if (release) {
        if (state !== x) state.dispose();
        parts[i].dispose();
      }
      parts[i] = next;
    }
    return P === 1 ? parts[0] : tf.concat(parts, 3);
  });

  const algorithm2 = (x: tf.Tensor, ctx: Ctx): tf.Tensor => {
    const vars = unitVars();
    const f = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const xin = args[0] as tf.Tensor;
      // Not recorded on the tape (customGrad runs its forward as one kernel): the only tensors kept
      // for the backward are x and y. Batch-norm running statistics are updated here, once.
      const y = loop(xin, ctx, true);
      save([xin, y]);
      const gradFunc = (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
        const dy = Array.isArray(dyIn) ? dyIn[0] : dyIn;
        return backward(dy, saved[0], saved[1], ctx, vars);
      };
      return { value: y, gradFunc };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    const flat = vars.flat();
    if (flat.length === 0) throw new Error(`${where}: customBackward needs units with trainable parameters`);
    return f(x, ...flat);
  };

  /** Algorithm 2. Buffers: `buf` (starts as y, becomes s_{i-1}) and `g` (= dL/ds_i). */
  const backward = (dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor, ctx: Ctx, vars: tf.Tensor[][]): tf.Tensor[] => {
    const paramGrads: tf.Tensor[][] = new Array(P);
    let buf = y, g = dy;
    for (let i = P - 1; i >= 0; i--) {
      const u = units[i];
      const res = tf.tidy(() => {
        // step 3: y_c <- x_c for c in c_i  =>  buf is now exactly s_{i-1}
        const s = replacePartition(buf, partitionOf(x, u.lo, u.n), u.lo, u.n);
        const gi = partitionOf(g, u.lo, u.n);
        // step 4: BP through the unit at s_{i-1} (recomputed; BN uses the same batch statistics as
        // the forward because s_{i-1} is rebuilt exactly, and must not update running stats again)
        const fn = rule === 'merged-4.6' ? () => u.branch(s, ctx) : () => u.apply(s, ctx);
        const [dS, ...dTheta] = withFrozenBatchStats(() => vjp(fn, [s, ...vars[i]], gi));
        let gNew: tf.Tensor;
        if (rule === 'merged-4.6') {
          gNew = tf.add(g, dS); // (4.6): for all c
        } else {
          // step 5: c in c_i -> replace;  step 6: c not in c_i -> add
          gNew = replacePartition(tf.add(g, dS), partitionOf(dS, u.lo, u.n), u.lo, u.n);
        }
        return { s, gNew, dTheta };
      });
      if (buf !== y) buf.dispose();
      if (g !== dy) g.dispose();
      buf = res.s;
      g = res.gNew;
      paramGrads[i] = res.dTheta;
    }
    if (buf !== y) buf.dispose();
    return [g, ...paramGrads.flat()];
  };

  const layer: GunnLayer = {
    name, params: [], state: [], children: units, N, P, mode, customBackward, units,
    forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      checkInput(x);
      return loop(x, ctx, false);
    },
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      checkInput(x);
      if (customBackward && ctx.training) return algorithm2(x, ctx);
      return loop(x, ctx, false);
    },
  };
  function checkInput(x: tf.Tensor) {
    if (x.rank !== 4 || x.shape[3] !== N) {
      throw new Error(`${where}: expected input [B, H, W, ${N}], got [${x.shape.join(', ')}]`);
    }
  }
  return layer;
}
