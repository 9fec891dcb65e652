// Resource utilization r = U / c by a mask feed-forward (thesis 5.3.1.2, spec 2.4).
// Instead of activations every op receives the binary liveness mask of its input neurons and emits
// the mask of its own neurons. Conv costs (1 group, no bias):
//   params = |M_in| * |M_out| * Kh * Kw          flops = params * Oh * Ow   (multiply-adds, as ResNet)
// The full cost c uses all-ones masks. BN parameters are never counted; the classifier only with
// `countClassifier` (the reference code counts conv weights only).
import { countLive, liveMask } from './liveness';

export type Resource = 'params' | 'flops';

/** One op of the mask graph. Plain chains, residual blocks and concatenations cover VGG/ResNet/DenseNet. */
export type MaskOp =
  | {
    kind: 'conv'; name: string; k: number | [number, number]; cin: number; cout: number; stride?: number;
    /** BN scales of the output neurons; null/undefined = fixed layer (never dead, no penalty). */
    gamma?: ArrayLike<number> | null;
    /** 'same' keeps ceil(H / stride); 'valid' gives floor((H - k) / stride) + 1. Default 'same'. */
    padding?: 'same' | 'valid';
    /** Depthwise conv (MobileNet): cost ||M|| * K * K (* O), mask tied to the input channels [derived]. */
    depthwise?: boolean;
  }
  | { kind: 'pool'; name?: string; size: number; stride?: number; padding?: 'same' | 'valid' }
  | { kind: 'identity'; name?: string }           // ReLU, dropout, BN-only
  | { kind: 'gap'; name?: string }                // global average pooling
  | { kind: 'fc'; name?: string; cout: number }   // classifier (counted only with countClassifier)
  | { kind: 'residual'; name?: string; branch: MaskOp[]; shortcut: MaskOp[] } // output mask = all ones
  | { kind: 'concat'; name?: string; branches: MaskOp[][] };                   // DenseNet: concatenated masks

export interface LayerUtilization {
  name: string;
  kind: 'conv' | 'fc';
  maskIn: Uint8Array;
  maskOut: Uint8Array;
  /** Gammas of the input neurons (for neural rescaling); null where the input is the image or fixed. */
  gammaIn: Float32Array | null;
  liveCost: number;
  fullCost: number;
  outHW: [number, number];
  fixed: boolean;
}

export interface Utilization {
  r: number;
  live: number;
  total: number;
  resource: Resource;
  layers: LayerUtilization[];
}

interface Flow { mask: Uint8Array; gamma: Float32Array | null; hw: [number, number] }

const ones = (n: number) => new Uint8Array(n).fill(1);
const outSize = (h: number, k: number, s: number, pad: 'same' | 'valid') => (pad === 'same' ? Math.ceil(h / s) : Math.floor((h - k) / s) + 1);

/**
 * Feed masks through `ops` from an input of `inChannels` always-live image channels at `inputHW`.
 * Rules: conv -> its own BN mask, all dead if none of its inputs is live; ReLU/pool/dropout/flatten/GAP
 * pass the mask on; residual addition -> all ones (main stream is never pruned, as the reference code);
 * concat -> concatenated masks.
 */
export function inspectUtilization(
  ops: MaskOp[], input: { channels: number; hw: [number, number] },
  o: { resource?: Resource; countClassifier?: boolean } = {},
): Utilization {
  const resource = o.resource ?? 'params';
  if (resource !== 'params' && resource !== 'flops') throw new Error(`inspectUtilization: unknown resource '${String(resource)}' (use 'params' or 'flops')`);
  const layers: LayerUtilization[] = [];
  const run = (seq: MaskOp[], f: Flow): Flow => {
    for (const op of seq) f = step(op, f);
    return f;
  };
  const step = (op: MaskOp, f: Flow): Flow => {
    switch (op.kind) {
      case 'conv': {
        if (f.mask.length !== op.cin) throw new Error(`inspectUtilization: conv '${op.name}' expects ${op.cin} input channels, the mask flowing in has ${f.mask.length}`);
        const [kh, kw] = typeof op.k === 'number' ? [op.k, op.k] : op.k;
        const s = op.stride ?? 1, pad = op.padding ?? 'same';
        const hw: [number, number] = [outSize(f.hw[0], kh, s, pad), outSize(f.hw[1], kw, s, pad)];
        const area = resource === 'flops' ? hw[0] * hw[1] : 1;
        const liveIn = countLive(f.mask);
        const fixed = op.gamma == null;
        if (op.gamma && op.gamma.length !== (op.depthwise ? op.cin : op.cout)) throw new Error(`inspectUtilization: conv '${op.name}' has ${op.cout} outputs but ${op.gamma.length} gammas`);
        let maskOut: Uint8Array;
        if (op.depthwise) {
          // one filter per input channel: the output neuron lives if its input and its own scale live
          const own = fixed ? ones(op.cin) : liveMask(op.gamma as ArrayLike<number>);
          maskOut = Uint8Array.from(own, (v, i) => (v && f.mask[i] ? 1 : 0));
        } else {
          maskOut = liveIn === 0 ? new Uint8Array(op.cout) : fixed ? ones(op.cout) : liveMask(op.gamma as ArrayLike<number>);
        }
        const liveOut = countLive(maskOut);
        const liveCost = op.depthwise ? liveOut * kh * kw * area : liveIn * liveOut * kh * kw * area;
        const fullCost = op.depthwise ? op.cin * kh * kw * area : op.cin * op.cout * kh * kw * area;
        layers.push({ name: op.name, kind: 'conv', maskIn: f.mask, maskOut, gammaIn: f.gamma, liveCost, fullCost, outHW: hw, fixed });
        return { mask: maskOut, gamma: op.gamma ? Float32Array.from(op.gamma) : null, hw };
      }
      case 'pool': {
        const s = op.stride ?? op.size, pad = op.padding ?? 'valid';
        return { ...f, hw: [outSize(f.hw[0], op.size, s, pad), outSize(f.hw[1], op.size, s, pad)] };
      }
      case 'identity': return f;
      case 'gap': return { ...f, hw: [1, 1] };
      case 'fc': {
        const liveIn = countLive(f.mask);
        if (o.countClassifier) {
          layers.push({ name: op.name ?? 'fc', kind: 'fc', maskIn: f.mask, maskOut: ones(op.cout), gammaIn: f.gamma, liveCost: liveIn * op.cout, fullCost: f.mask.length * op.cout, outHW: [1, 1], fixed: true });
        }
        return { mask: ones(op.cout), gamma: null, hw: [1, 1] };
      }
      case 'residual': {
        const a = run(op.branch, f), b = run(op.shortcut, f);
        if (a.mask.length !== b.mask.length || a.hw[0] !== b.hw[0] || a.hw[1] !== b.hw[1]) {
          throw new Error(`inspectUtilization: residual '${op.name ?? ''}' adds ${a.mask.length}x${a.hw} to ${b.mask.length}x${b.hw}`);
        }
        return { mask: ones(a.mask.length), gamma: null, hw: a.hw };
      }
      case 'concat': {
        const outs = op.branches.map((br) => run(br, f));
        const n = outs.reduce((s, x) => s + x.mask.length, 0);
        const mask = new Uint8Array(n);
        let off = 0;
        for (const x of outs) { mask.set(x.mask, off); off += x.mask.length; }
        return { mask, gamma: null, hw: outs[0].hw };
      }
      default: throw new Error(`inspectUtilization: unknown op kind '${(op as { kind: string }).kind}'`);
    }
  };
  run(ops, { mask: ones(input.channels), gamma: null, hw: input.hw });
  const live = layers.reduce((s, l) => s + l.liveCost, 0), total = layers.reduce((s, l) => s + l.fullCost, 0);
  return { r: total > 0 ? live / total : 1, live, total, resource, layers };
}

/** Brute-force U for a chain of dense (1-group) convs: count weights whose input and output channel both live (check 8.3). */
export function bruteForceLive(convs: { k: number; maskIn: ArrayLike<number>; maskOut: ArrayLike<number> }[]): number {
  let n = 0;
  for (const c of convs) for (let i = 0; i < c.maskIn.length; i++) for (let j = 0; j < c.maskOut.length; j++) if (c.maskIn[i] && c.maskOut[j]) n += c.k * c.k;
  return n;
}

/** Parameter count of a mask graph as a network would hold it: conv weights + 2 BN params per conv output + FC with bias. */
export function countGraphParams(ops: MaskOp[], inChannels: number): number {
  let n = 0;
  const run = (seq: MaskOp[], c: number): number => {
    for (const op of seq) {
      if (op.kind === 'conv') {
        const [kh, kw] = typeof op.k === 'number' ? [op.k, op.k] : op.k;
        n += op.depthwise ? op.cin * kh * kw + 2 * op.cin : op.cin * op.cout * kh * kw + 2 * op.cout;
        c = op.depthwise ? op.cin : op.cout;
      } else if (op.kind === 'fc') { n += c * op.cout + op.cout; c = op.cout; }
      else if (op.kind === 'residual') { const a = run(op.branch, c); run(op.shortcut, c); c = a; }
      else if (op.kind === 'concat') c = op.branches.reduce((s, b) => s + run(b, c), 0);
    }
    return c;
  };
  run(ops, inChannels);
  return n;
}
