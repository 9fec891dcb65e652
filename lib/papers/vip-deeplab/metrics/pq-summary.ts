// Per-class PQ = SQ * RQ from summed statistics, then the class means (all / thing / stuff), as the
// end of eval_dvpq.py: SQ = iou/tp, RQ = tp/(tp + fn/2 + fp/2). A class with tp = 0 but some FP/FN
// has PQ = 0. Absent classes (tp = fp = fn = 0) follow cfg.absentClassPolicy (see types.ts).
import { checkEvalConfig } from './config';
import { pqStats } from './pq-stats';
import { ClassPq, PanopticEvalConfig, PqStats, PqSummary } from './types';

function mean(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function summarizePq(stats: PqStats, cfg: PanopticEvalConfig): PqSummary {
  const policy = checkEvalConfig(cfg, 'summarizePq');
  const K = cfg.numClasses;
  if (stats.tp.length !== K) throw new Error(`summarizePq: stats have ${stats.tp.length} classes, config has ${K}`);
  const things = new Set(cfg.thingIds);
  const perClass: ClassPq[] = [];
  for (let c = 0; c < K; c++) {
    const tp = stats.tp[c], fp = stats.fp[c], fn = stats.fn[c], iouSum = stats.iou[c];
    const present = tp + fp + fn > 0;
    const sq = tp > 0 ? iouSum / tp : 0;
    const rq = present ? tp / (tp + 0.5 * fn + 0.5 * fp) : 0;
    perClass.push({ classId: c, name: cfg.classNames?.[c], isThing: things.has(c), present, pq: sq * rq, sq, rq, tp, fp, fn, iouSum });
  }
  const used = perClass.filter((r) => r.present || policy === 'zero');
  const th = used.filter((r) => r.isThing), st = used.filter((r) => !r.isThing);
  return {
    pq: mean(used.map((r) => r.pq)),
    sq: mean(used.map((r) => r.sq)),
    rq: mean(used.map((r) => r.rq)),
    pqThing: mean(th.map((r) => r.pq)),
    pqStuff: mean(st.map((r) => r.pq)),
    n: used.length, nThing: th.length, nStuff: st.length,
    policy, perClass,
  };
}

/** Image PQ of one prediction/GT pair (or of one concatenated window). */
export function panopticQuality(pred: Int32Array | Int32Array[], gt: Int32Array | Int32Array[], cfg: PanopticEvalConfig): PqSummary {
  return summarizePq(pqStats(pred, gt, cfg), cfg);
}
