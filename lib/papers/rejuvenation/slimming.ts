// Network-Slimming-style selection (Liu et al., ICCV 2017; the thesis's compression baseline, spec
// section 3 module 10): rank the BN scales |gamma| of ALL prunable neurons globally and drop the
// smallest until the conv cost is at or below a target. Returns an inspection (the mask feed-forward
// of utilization.ts with the dropped neurons marked dead) that `rejuvenate` / `pruneDead` consume, so:
//   - slimming baseline:   rejuvenate(net, slimmingInspection(net, 0.5 C), { pruneOnly: true })
//   - compression fallback: if the capped pre-phase did not reach T_r, widen the dead set to T_r * C
//     by the same ranking, then rejuvenate to 0.5 C (documented deviation, see experiments.ts).
// Two uses, one ranking:
//   pure ranking (Network Slimming, default): every neuron competes by |gamma|, so a target above the
//     survivors' cost U keeps the largest "dead" neurons too (they can regrow when fine-tuned);
//   `fromDead: true` (the fallback): neurons dead by the 0.01 rule are always dropped, then live ones
//     by rank. Each layer keeps its largest-|gamma| neuron (a plain chain must stay connected) [derived].
// The returned inspection's masks encode the selection only (its gammas are not the net's; rejuvenate
// reads the real gammas from the net).
import type { NRNet } from './net';
import { inspectUtilization, type MaskOp, type Resource, type Utilization } from './utilization';

export interface SlimmingResult {
  inspection: Utilization;
  /** Live neurons per conv after the selection. */
  kept: number[];
  /** Live neurons (by the 0.01 rule) that the selection drops (0 when it only drops dead ones or keeps more). */
  extraDropped: number;
  /** The global |gamma| threshold that was applied (0 if nothing extra was dropped). */
  threshold: number;
}

/** Global |gamma| ranking down to `target` (same resource as the inspection). */
export function slimmingInspection(net: NRNet, target: number, o: { resource?: Resource; fromDead?: boolean } = {}): SlimmingResult {
  if (!(target > 0)) throw new Error(`slimmingInspection: target must be > 0, got ${target}`);
  const resource = o.resource ?? 'params';
  const input = { channels: net.inChannels, hw: net.inputHW };
  const base = net.maskGraph();
  const inspect = (ops: MaskOp[]) => inspectUtilization(ops, input, { resource });
  const convOps = base.filter((op): op is Extract<MaskOp, { kind: 'conv' }> => op.kind === 'conv');
  const natural = inspect(base).layers.filter((l) => l.kind === 'conv').map((l) => l.maskOut);
  const cand: { layer: number; j: number; g: number }[] = [];
  const alwaysDrop = convOps.map((op, i) => Uint8Array.from(natural[i], (v) => (o.fromDead && !v ? 1 : 0)));
  convOps.forEach((op, i) => {
    const g = op.gamma as Float32Array;
    let best = 0;
    for (let j = 1; j < g.length; j++) if (Math.abs(g[j]) > Math.abs(g[best])) best = j;
    alwaysDrop[i][best] = 0;
    for (let j = 0; j < g.length; j++) if (j !== best && !alwaysDrop[i][j]) cand.push({ layer: i, j, g: Math.abs(g[j]) });
  });
  cand.sort((a, b) => a.g - b.g || a.layer - b.layer || a.j - b.j);
  // masks only: kept neurons get gamma 1, dropped ones 0 (dead by the 0.01 rule in the mask feed-forward)
  const dropped = (k: number): MaskOp[] => {
    const gs = convOps.map((op, i) => Float32Array.from(op.gamma as Float32Array, (_, j) => (alwaysDrop[i][j] ? 0 : 1)));
    for (let t = 0; t < k; t++) gs[cand[t].layer][cand[t].j] = 0;
    let ci = 0;
    return base.map((op) => (op.kind === 'conv' ? { ...op, gamma: gs[ci++] } : op));
  };
  let k = 0;
  if (inspect(dropped(0)).live > target) {
    // cost is non-increasing in k: bisection for the smallest k with cost <= target
    if (inspect(dropped(cand.length)).live > target) throw new Error(`slimmingInspection: target ${target} is below the cost of one neuron per layer`);
    let lo = 0, hi = cand.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (inspect(dropped(mid)).live <= target) hi = mid; else lo = mid + 1; }
    k = lo;
  }
  const inspection = inspect(dropped(k));
  const kept = inspection.layers.filter((l) => l.kind === 'conv').map((l) => l.maskOut.reduce((s, v) => s + v, 0));
  const naturalLive = natural.reduce((s, m) => s + m.reduce((a, v) => a + v, 0), 0);
  return { inspection, kept, extraDropped: Math.max(0, naturalLive - kept.reduce((a, b) => a + b, 0)), threshold: k > 0 ? cand[k - 1].g : 0 };
}
