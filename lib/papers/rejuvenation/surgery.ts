// Dead-neuron rejuvenation as network surgery (thesis 5.3.2, spec 2.6), in this order:
//  (a) reallocation: drop dead neurons, widen all layers by one shared alpha back to the target;
//  (b) reinitialisation: W_SS kept, W_RR random (init distribution), W_RS = W_SR = 0, R BN at
//      gamma_0 / beta 0 / mean 0 / var 1; first-layer R neurons get RANDOM weights on the image
//      (the image is shared by S and R, otherwise R would never receive signal);
//  (c) optional neural rescaling: |gamma'| = max(|gamma|, gamma_0) with the sign kept; s = gamma'/gamma,
//      beta' = s beta, and every weight that reads the channel (next conv's input slice, classifier
//      rows) is divided by s -- exact because ReLU and max/avg pooling commute with positive scaling.
// The result is a new NRNet with new variables (the old one is disposed unless keepOld).
// Channel order inside every layer: survivors in their old order (old groups stay contiguous), then R.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random';
import { assembleNet, newVar, makeUnit, type ChainItem, type ClassifierKind, type Head, type NRNet, type UnitMode } from './net';
import { chooseAlpha, type ChainLayerGeom, type ReallocResult } from './realloc';
import { inspectUtilization, type Resource, type Utilization } from './utilization';

export type NRMode = 'full' | 'cr' | 'ca';

export interface RejuvenateOptions {
  /** Absolute resource target (C for "maintain", 0.5 C for compression). C = cost of the ORIGINAL net. */
  target: number;
  /** 'full' = NR (cross-connections kept), 'cr' = NR-CR, 'ca' = NR-CA. */
  mode: NRMode;
  /** Neural rescaling (NR-BR). */
  rescale?: boolean;
  /**
   * Upper bound on the rescaling factor s (default Infinity = thesis). s reaches ~ gamma_0 / (0.01 max|gamma|)
   * for survivors just above the dead threshold; the map is preserved exactly, but SGD is not invariant to it:
   * a weight reading a rescaled channel becomes s times smaller and gets an s times larger gradient, so its
   * relative step grows by s^2 (the Part A NR-CA-BR blow-up, see experiments.ts RESCALE_CAP).
   */
  maxRescale?: number;
  /** Default dualHead (reference behaviour in all modes); 'shared' only for 'full' / 'ca'. */
  classifier?: 'dualHead' | 'shared';
  resource?: Resource;
  alphaMethod?: 'bisection' | 'sqrt';
  /** Full cost of the original architecture (for the closed-form alpha); default the inspection total. */
  originalCost?: number;
  /** Pure pruning: remove dead neurons, add nothing (prune-only baseline). */
  pruneOnly?: boolean;
  keepOld?: boolean;
  rng: Rng;
}

export interface RejuvenateReport {
  widthsBefore: number[];
  survivors: number[];
  widthsAfter: number[];
  /** New R neurons per layer. */
  rejuvenated: number[];
  groupsAfter: number[][];
  realloc: ReallocResult | null;
  costBefore: number;
  liveBefore: number;
  costAfter: number;
  target: number;
  rescaled: number;
  /** Largest neural-rescaling factor s applied (1 without rescaling). */
  maxScale: number;
}

function chainGeom(net: NRNet): ChainLayerGeom[] {
  const insp = inspectUtilization(net.maskGraph(), { channels: net.inChannels, hw: net.inputHW }, { resource: 'flops' });
  return insp.layers.filter((l) => l.kind === 'conv').map((l, i) => ({ k: net.convs()[i].k, hw: l.outHW }));
}

/** Effective kernel values (cross blocks of CR units read as 0) of an NRNet unit. */
function kernelValues(u: ReturnType<NRNet['convs']>[number]): Float32Array {
  return tf.tidy(() => (u.crMask ? tf.mul(u.kernel, u.crMask) : u.kernel).dataSync() as Float32Array).slice();
}

export function rejuvenate(net: NRNet, insp: Utilization, o: RejuvenateOptions): { net: NRNet; report: RejuvenateReport } {
  const mode = o.mode;
  if (mode !== 'full' && mode !== 'cr' && mode !== 'ca') throw new Error(`rejuvenate: unknown mode '${String(mode)}' (use 'full', 'cr' or 'ca')`);
  const classifier = o.classifier ?? 'dualHead';
  if (classifier !== 'dualHead' && classifier !== 'shared') throw new Error(`rejuvenate: unknown classifier '${String(classifier)}'`);
  if (classifier === 'shared' && mode === 'cr') throw new Error("rejuvenate: classifier 'shared' would be a cross-connection in mode 'cr'; use 'dualHead'");
  const convs = net.convs();
  if (convs.some((u) => u.mode === 'ca')) throw new Error('rejuvenate: multiple NR rounds with cross attention are undefined in the thesis (spec 2.8); run CA for one round only');
  const layers = insp.layers.filter((l) => l.kind === 'conv');
  if (layers.length !== convs.length) throw new Error(`rejuvenate: the inspection has ${layers.length} conv layers, the net ${convs.length} (inspect this net first)`);
  layers.forEach((l, i) => { if (l.maskOut.length !== convs[i].cout) throw new Error(`rejuvenate: inspection layer ${i} has ${l.maskOut.length} neurons, the net ${convs[i].cout}`); });
  const gamma0 = net.gamma0;
  if (o.maxRescale !== undefined && !(o.maxRescale >= 1)) throw new Error(`rejuvenate: maxRescale must be >= 1 (a bound on the factor s = gamma_0 / |gamma|), got ${o.maxRescale}`);
  const keepGroups = mode === 'cr' && convs.every((u) => u.mode === 'cr' || u.isInput) && net.rounds > 0;

  // (a) survivors, with guards: at least one per layer (and per group when CR groups persist)
  const gammas = convs.map((u) => u.gamma.dataSync() as Float32Array);
  const live: number[][] = convs.map((u, i) => {
    const m = Uint8Array.from(layers[i].maskOut);
    const ranges: [number, number][] = [];
    if (keepGroups) { let s = 0; for (const g of u.groups) { ranges.push([s, s + g]); s += g; } } else ranges.push([0, u.cout]);
    for (const [a, b] of ranges) {
      let any = false, best = a;
      for (let j = a; j < b; j++) { if (m[j]) any = true; if (Math.abs(gammas[i][j]) > Math.abs(gammas[i][best])) best = j; }
      if (!any && b > a) m[best] = 1; // guard [derived]: keep the max-|gamma| neuron
    }
    const idx: number[] = [];
    m.forEach((v, j) => { if (v) idx.push(j); });
    return idx;
  });
  const survivors = live.map((l) => l.length);
  const geom = chainGeom(net);
  let realloc: ReallocResult | null = null;
  let widths = survivors.slice();
  if (!o.pruneOnly) {
    realloc = chooseAlpha(survivors, geom, o.target, o.originalCost ?? insp.total, { inChannels: net.inChannels, resource: o.resource ?? insp.resource, method: o.alphaMethod, minNew: 1 });
    widths = realloc.chosen.widths.slice();
  }
  let nR = widths.map((w, i) => w - survivors[i]);
  // a disconnected R path would be useless: if any layer gets R neurons, every layer gets >= 1 [derived]
  // (already built into the bisection via minNew; this only matters for the closed-form alpha)
  const anyR = nR.some((n) => n > 0);
  if (anyR) { nR = nR.map((n) => Math.max(n, 1)); widths = survivors.map((s, i) => s + nR[i]); }

  // (c) rescaling factors of survivors
  const scale: Float32Array[] = live.map((idx, i) => Float32Array.from(idx, (j) => {
    if (!o.rescale) return 1;
    const g = Math.abs(gammas[i][j]);
    return g > 0 && g < gamma0 ? Math.min(gamma0 / g, o.maxRescale ?? Infinity) : 1;
  }));
  let rescaled = 0, maxScale = 1;
  scale.forEach((s) => s.forEach((v) => { if (v !== 1) rescaled++; maxScale = Math.max(maxScale, v); }));

  // new groups per layer
  const groupsAfter: number[][] = convs.map((u, i) => {
    const gs: number[] = [];
    if (keepGroups) {
      let s = 0;
      for (const g of u.groups) { gs.push(live[i].filter((j) => j >= s && j < s + g).length); s += g; }
    } else gs.push(survivors[i]);
    if (anyR) gs.push(nR[i]);
    return gs;
  });
  const unitMode: UnitMode = !anyR ? (keepGroups ? 'cr' : 'plain') : mode === 'full' ? 'plain' : mode;

  // (b) new kernels and BN
  const items: ChainItem[] = [];
  let ci = 0, prevGroups: number[] | null = null;
  for (const it of net.items) {
    if (it.kind === 'pool') { items.push(it); continue; }
    const u = it.unit, i = ci++;
    const old = kernelValues(u);
    const k = u.k, kk = k * k, cinOld = u.cin, coutOld = u.cout;
    const sOut = survivors[i], cout = widths[i];
    const sIn = i === 0 ? net.inChannels : survivors[i - 1], cin = i === 0 ? net.inChannels : widths[i - 1];
    const inIdx = i === 0 ? Array.from({ length: net.inChannels }, (_, p) => p) : live[i - 1];
    const inScale = i === 0 ? null : scale[i - 1];
    const W = new Float32Array(kk * cin * cout);
    const std = Math.sqrt(2 / (kk * cout)); // init distribution: He fan-out with the new width [code]
    for (let t = 0; t < kk; t++) {
      for (let p = 0; p < cin; p++) {
        const base = (t * cin + p) * cout;
        if (p < sIn) {
          const q = inIdx[p], div = inScale ? inScale[p] : 1;
          for (let j = 0; j < sOut; j++) W[base + j] = old[(t * cinOld + q) * coutOld + live[i][j]] / div;
          // W_{S->R}: 0, except on the image (input layer), which S and R share
          if (i === 0) for (let j = sOut; j < cout; j++) W[base + j] = o.rng.normal() * std;
        } else {
          for (let j = sOut; j < cout; j++) W[base + j] = o.rng.normal() * std; // W_{R->R}; W_{R->S} stays 0
        }
      }
    }
    const g = gammas[i], b = u.beta.dataSync(), rm = u.runMean.dataSync(), rv = u.runVar.dataSync();
    const mk = (f: (j: number, s: number) => number, rFill: number) => Float32Array.from({ length: cout }, (_, j) => (j < sOut ? f(live[i][j], scale[i][j]) : rFill));
    const unit = makeUnit(u.name, k, cin, cout, groupsAfter[i], i === 0 ? null : (prevGroups as number[]), unitMode, {
      kernel: W,
      gamma: mk((j, s) => g[j] * s, gamma0), beta: mk((j, s) => b[j] * s, 0),
      runMean: mk((j) => rm[j], 0), runVar: mk((j) => rv[j], 1),
    });
    items.push({ kind: 'conv', unit });
    prevGroups = groupsAfter[i];
  }

  // classifier heads
  const L = convs.length - 1, lastLive = live[L], lastScale = scale[L];
  const C = net.numClasses;
  const oldW = net.heads.map((h) => h.kernel.dataSync() as Float32Array), oldB = net.heads.map((h) => h.bias.dataSync() as Float32Array);
  const headOf = (ch: number) => net.heads.findIndex((h) => ch >= h.start && ch < h.end);
  const row = (ch: number, s: number): Float32Array => {
    const hi = headOf(ch), h = net.heads[hi];
    return Float32Array.from({ length: C }, (_, c) => oldW[hi][(ch - h.start) * C + c] / s);
  };
  const sumBias = Float32Array.from({ length: C }, (_, c) => oldB.reduce((s, b) => s + b[c], 0));
  const heads: Head[] = [];
  const makeHead = (start: number, rows: Float32Array[], bias: Float32Array): Head => {
    const n = rows.length, w = new Float32Array(n * C);
    rows.forEach((r, j) => w.set(r, j * C));
    return { start, end: start + n, kernel: newVar(() => tf.tensor2d(w, [n, C])), bias: newVar(() => tf.tensor1d(bias)) };
  };
  const sRows = lastLive.map((ch, j) => row(ch, lastScale[j]));
  if (keepGroups) {
    // one head per old group, over that group's survivors
    let off = 0;
    net.heads.forEach((h, hi) => {
      const rows: Float32Array[] = [];
      lastLive.forEach((ch, j) => { if (ch >= h.start && ch < h.end) rows.push(sRows[j]); });
      if (rows.length) heads.push(makeHead(off, rows, oldB[hi]));
      off += rows.length;
    });
  } else if (!(anyR && classifier === 'shared')) {
    heads.push(makeHead(0, sRows, sumBias)); // merged S head: sum of the old heads' logits is preserved
  }
  const sTotal = survivors[L], rTotal = anyR ? nR[L] : 0;
  if (anyR) {
    if (classifier === 'shared') {
      heads.push(makeHead(0, [...sRows, ...Array.from({ length: rTotal }, () => new Float32Array(C))], sumBias)); // R columns 0: exact
    } else {
      const rRows = Array.from({ length: rTotal }, () => Float32Array.from({ length: C }, () => o.rng.normal() * 0.01));
      heads.push(makeHead(sTotal, rRows, sumBias.slice())); // R head shares (a copy of) the old bias [code]
    }
  }
  const clf: ClassifierKind = heads.length > 1 ? 'dualHead' : anyR && classifier === 'shared' ? 'shared' : net.classifier;
  const out = assembleNet({ name: net.name, items, heads, classifier: clf, inChannels: net.inChannels, inputHW: net.inputHW, numClasses: C, gamma0, rounds: net.rounds + (anyR ? 1 : 0) });
  const after = inspectUtilization(out.maskGraph(), { channels: out.inChannels, hw: out.inputHW }, { resource: o.resource ?? insp.resource });
  const report: RejuvenateReport = {
    widthsBefore: convs.map((u) => u.cout), survivors, widthsAfter: widths, rejuvenated: nR, groupsAfter, realloc,
    costBefore: insp.total, liveBefore: insp.live, costAfter: after.total, target: o.target, rescaled, maxScale,
  };
  if (!o.keepOld) net.dispose();
  return { net: out, report };
}

/** Prune-only baseline (Network-Slimming style, dead neurons removed, nothing added). */
export function pruneDead(net: NRNet, insp: Utilization, o: { keepOld?: boolean; rng: Rng; rescale?: boolean }) {
  return rejuvenate(net, insp, { target: 1, mode: 'full', pruneOnly: true, keepOld: o.keepOld, rng: o.rng, rescale: o.rescale });
}

/** Utilization of an NRNet (mask feed-forward over its chain). */
export function inspectNet(net: NRNet, o: { resource?: Resource; countClassifier?: boolean } = {}): Utilization {
  return inspectUtilization(net.maskGraph(), { channels: net.inChannels, hw: net.inputHW }, o);
}
