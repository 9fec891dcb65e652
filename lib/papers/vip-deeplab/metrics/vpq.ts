// VPQ^k (thesis eq. 7.1-7.2) and DVPQ^k_lambda (eq. 7.5), as eval_dvpq.py computes them: every
// window of k consecutive frames of a sequence (stride 1, T - k + 1 windows) is one concatenated
// image; its PQ statistics are summed over all windows of all sequences, and only then turned into
// per-class PQ and class means (not a mean of per-window PQs).
// Cityscapes-DVPS windows stay inside a sequence (the script groups files by sequence prefix);
// the SemKITTI-DVPS script slides over all val frames sorted by name, i.e. pass them as ONE sequence.
import { checkEvalConfig } from './config';
import { filterPredByDepth } from './depth-filter';
import { addPqStats, emptyPqStats, pqStats } from './pq-stats';
import { summarizePq } from './pq-summary';
import { EvalSequence, PanopticEvalConfig, PqStats, VpqResult } from './types';

/** Start frames of the k-frame windows of a T-frame sequence: 0..T-k (empty when T < k). */
export function windowStarts(T: number, k: number): number[] {
  if (!Number.isInteger(k) || k < 1) throw new Error(`windowStarts: window size k must be an integer >= 1, got ${k}`);
  if (!Number.isInteger(T) || T < 0) throw new Error(`windowStarts: frame count must be a non-negative integer, got ${T}`);
  const out: number[] = [];
  for (let t = 0; t + k <= T; t++) out.push(t);
  return out;
}

function checkSequence(s: EvalSequence, i: number, needDepth: boolean, where: string): void {
  if (!s || !Array.isArray(s.pred) || !Array.isArray(s.gt)) throw new Error(`${where}: sequence ${i} needs arrays pred and gt`);
  if (s.pred.length !== s.gt.length) throw new Error(`${where}: sequence ${i} has ${s.pred.length} prediction frames but ${s.gt.length} GT frames`);
  if (needDepth) {
    if (!s.predDepth || !s.gtDepth) throw new Error(`${where}: sequence ${i} has no predDepth/gtDepth, needed for lambda > 0`);
    if (s.predDepth.length !== s.pred.length || s.gtDepth.length !== s.pred.length) {
      throw new Error(`${where}: sequence ${i} has ${s.pred.length} frames but ${s.predDepth.length} predicted and ${s.gtDepth.length} GT depth maps`);
    }
  }
}

/** Predictions after the depth filter (lambda > 0) or unchanged (lambda = 0), per frame. */
export function depthFilteredPreds(s: EvalSequence, lambda: number, cfg: PanopticEvalConfig): Int32Array[] {
  if (lambda === 0) return s.pred;
  return s.pred.map((p, t) => filterPredByDepth(p, s.predDepth![t], s.gtDepth![t], lambda, cfg));
}

/** Summed statistics over all k-frame windows of all sequences, with the depth filter for lambda > 0. */
export function vpqStats(
  sequences: EvalSequence[], k: number, cfg: PanopticEvalConfig, lambda = 0,
): { stats: PqStats; windows: number } {
  const where = 'vpqStats';
  checkEvalConfig(cfg, where);
  if (!Array.isArray(sequences) || sequences.length === 0) throw new Error(`${where}: need a non-empty array of sequences`);
  if (!(lambda >= 0)) throw new Error(`${where}: lambda must be >= 0, got ${lambda}`);
  sequences.forEach((s, i) => checkSequence(s, i, lambda > 0, where));
  const acc = emptyPqStats(cfg.numClasses);
  let windows = 0;
  for (const s of sequences) {
    const preds = depthFilteredPreds(s, lambda, cfg);
    for (const t of windowStarts(s.pred.length, k)) {
      addPqStats(acc, pqStats(preds.slice(t, t + k), s.gt.slice(t, t + k), cfg));
      windows++;
    }
  }
  if (windows === 0) {
    throw new Error(`${where}: no window of k=${k} frames fits; the longest sequence has ${Math.max(...sequences.map((s) => s.pred.length))} frames`);
  }
  return { stats: acc, windows };
}

/** VPQ^k (lambda = 0) or DVPQ^k_lambda, summarised over classes. */
export function videoPanopticQuality(sequences: EvalSequence[], k: number, cfg: PanopticEvalConfig, lambda = 0): VpqResult {
  const { stats, windows } = vpqStats(sequences, k, cfg, lambda);
  return { ...summarizePq(stats, cfg), k, lambda, windows, stats };
}
