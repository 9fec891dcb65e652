// The baseline the paper builds on: collaborative learning with several heads (Song & Chai 2018,
// spec 1.2 / 3.6). The network is cut into 3 subnets g1 -> g2 -> g3 (g3 includes the classifier);
// `splits` [s1, s2, s3] gives how many copies each node has at every level: [1, 2, 2] is the
// hierarchical (tree) ILR sharing with H = 4, [H, 1, 1] is multi-instance (H full copies).
// At every split into b children the backprop-rescaling op I(x) (gradScale 1/b) is inserted, so
// shared layers get the mean of the heads' gradients while each head gets its full gradient.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random';
import type { Ctx, Layer } from '../../nn/types';
import { dense } from '../../nn/layers';
import { applyTail, buildUnits, featureDim, unitInput, type ArchSpec, type Unit } from './arch';
import { classifierBranches, type IntraNet } from './model';
import { gradScale, songChaiLoss, songChaiHeadLosses, type SoftTargetOptions } from './losses';

export interface SongChaiConfig extends SoftTargetOptions {
  /** Copies per level, e.g. [1, 2, 2] (tree, H = 4) or [4, 1, 1] (multi-instance). */
  splits?: [number, number, number];
  /** Unit indices where g2 and g3 start (default: thirds of the unit list). */
  cuts?: [number, number];
  /** 'sum' + gradScale (Song & Chai's original, default) or 'mean' (eq. 3 of Fang & Lin, no rescaling). */
  reduce?: 'sum' | 'mean';
  /** Backprop rescaling at split points (default true with reduce 'sum'). */
  rescale?: boolean;
  dropRate?: number;
}

interface PathNode { layer: Layer; units: Unit[]; fc: IntraNet['fc'] | null; children: PathNode[] }

export interface SongChaiNet {
  spec: ArchSpec;
  config: Required<Pick<SongChaiConfig, 'splits' | 'cuts' | 'reduce' | 'rescale' | 'dropRate' | 'alpha' | 'T' | 'stopGradTarget'>> & { tSquared: boolean };
  roots: PathNode[];
  heads: number;
  root: Layer;
}

export function buildSongChai(spec: ArchSpec, c: SongChaiConfig, rng: Rng): SongChaiNet {
  const n = spec.units.length;
  const splits = c.splits ?? [1, 2, 2];
  const cuts = c.cuts ?? [Math.round(n / 3), Math.round((2 * n) / 3)];
  if (splits.length !== 3 || splits.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`songChai: splits must be 3 positive integers, got [${splits}]`);
  if (!(cuts[0] > 0 && cuts[1] > cuts[0] && cuts[1] < n)) throw new Error(`songChai: cuts [${cuts}] must satisfy 0 < c1 < c2 < ${n}`);
  const heads = splits[0] * splits[1] * splits[2];
  if (heads < 2) throw new Error(`songChai: needs at least 2 heads, splits [${splits}] give ${heads}`);
  const reduce = c.reduce ?? 'sum';
  const config: SongChaiNet['config'] = {
    splits, cuts, reduce, rescale: c.rescale ?? reduce === 'sum', dropRate: c.dropRate ?? 0.5,
    alpha: c.alpha ?? 0.5, T: c.T ?? 2, stopGradTarget: c.stopGradTarget ?? true, tSquared: c.tSquared ?? false,
  };
  const bounds = [0, cuts[0], cuts[1], n];
  const d = featureDim(spec);
  const make = (level: number, path: string, r: Rng): PathNode => {
    const from = bounds[level], to = bounds[level + 1];
    const inp = unitInput(spec, from);
    const units = buildUnits(spec, r.fork('units'), from, to, inp.channels, inp.size);
    let fc: IntraNet['fc'] | null = null;
    const children: PathNode[] = [];
    if (level === 2) {
      const rc = r.fork('classifier');
      fc = [dense({ name: 'fc1', inFeatures: d, units: spec.hidden }, rc), dense({ name: 'fc2', inFeatures: spec.hidden, units: spec.hidden }, rc),
        dense({ name: 'fc3', inFeatures: spec.hidden, units: spec.numClasses }, rc)];
    } else {
      for (let k = 0; k < splits[level + 1]; k++) children.push(make(level + 1, `${path}_${k}`, r.fork(`child${k}`)));
    }
    const layer: Layer = {
      name: `g${level + 1}${path}`, params: [], state: [],
      children: [...units.map((u) => u.layer), ...(fc ?? []), ...children.map((ch) => ch.layer)],
      apply: () => { throw new Error('songChai: use songChaiHeads'); },
    };
    return { layer, units, fc, children };
  };
  const roots = Array.from({ length: splits[0] }, (_, k) => make(0, `_${k}`, rng.fork(`root${k}`)));
  const root: Layer = { name: `songchai_${spec.name}`, params: [], state: [], children: roots.map((r) => r.layer), apply: () => { throw new Error('songChai: use songChaiHeads'); } };
  return { spec, config, roots, heads, root };
}

/** Logits of every head, in tree order (head 0 = the first root-to-leaf path). */
export function songChaiHeads(net: SongChaiNet, x: tf.Tensor, ctx: Ctx): tf.Tensor2D[] {
  const run = (node: PathNode, h: tf.Tensor): tf.Tensor2D[] => {
    let t = h;
    for (const u of node.units) t = u.layer.apply(t, ctx);
    if (node.fc) {
      return [tf.squeeze(classifierBranches(node.fc, applyTail(net.spec, t), ctx, { K: 1, rate: net.config.dropRate }), [0]) as tf.Tensor2D];
    }
    const b = node.children.length;
    const shared = b > 1 && net.config.rescale && ctx.training ? gradScale(t, 1 / b) : t;
    return node.children.flatMap((ch) => run(ch, shared));
  };
  return tf.tidy(() => net.roots.flatMap((r) => run(r, x)));
}

/** Song & Chai training loss on int labels y [B]. */
export function songChaiTrainLoss(net: SongChaiNet, x: tf.Tensor, y: tf.Tensor, ctx: Ctx): { loss: tf.Scalar; logits: tf.Tensor2D; perHead: tf.Tensor1D } {
  return tf.tidy(() => {
    const hs = songChaiHeads(net, x, ctx);
    const yh = tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, net.spec.numClasses).toFloat();
    return { loss: songChaiLoss(hs, yh, net.config), logits: tf.mean(tf.stack(hs), 0) as tf.Tensor2D, perHead: songChaiHeadLosses(hs, yh, net.config) };
  });
}

function headPath(net: SongChaiNet, head: number): PathNode[] {
  if (!(Number.isInteger(head) && head >= 0 && head < net.heads)) throw new Error(`songChai: head ${head} is outside [0, ${net.heads})`);
  const [s0, s1, s2] = net.config.splits;
  const i0 = Math.floor(head / (s1 * s2)), i1 = Math.floor(head / s2) % s1, i2 = head % s2;
  const a = net.roots[i0], b = a.children[i1], c = b.children[i2];
  void s0;
  return [a, b, c];
}

/** Eval logits of one head's root-to-leaf path (the deployed network). */
export function songChaiPredict(net: SongChaiNet, x: tf.Tensor, head = 0): tf.Tensor2D {
  const path = headPath(net, head);
  return tf.tidy(() => {
    const ctx: Ctx = { training: false };
    let h = x;
    for (const node of path) for (const u of node.units) h = u.layer.apply(h, ctx);
    return tf.squeeze(classifierBranches(path[2].fc as IntraNet['fc'], applyTail(net.spec, h), ctx, { K: 1, rate: 0 }), [0]) as tf.Tensor2D;
  });
}

/** inferencePath(head): the plain single network (same parameter count as the baseline). */
export function songChaiInference(net: SongChaiNet, head = 0): Layer {
  const path = headPath(net, head);
  const units = path.flatMap((p) => p.units.map((u) => u.layer));
  return {
    name: `${net.spec.name}_head${head}`, params: [], state: [],
    children: [{ name: 'body', params: [], state: [], children: units, apply: (x) => x }, { name: 'classifier', params: [], state: [], children: path[2].fc as Layer[], apply: (x) => x }],
    apply: (x) => songChaiPredict(net, x, head),
  };
}
