// ViP-DeepLab metrics (thesis ch. 7, spec §8 items 1-8 and 19): PQ / VPQ / DVPQ as the authors'
// eval_dvpq.py and the KITTI depth metrics, on tiny hand-made maps with hand-computed values.
import { strict as assert } from 'assert';
import {
  PanopticEvalConfig, pqStats, summarizePq, panopticQuality, videoPanopticQuality, vpqStats, windowStarts,
  filterPredByDepth, quantizeDepth256, dvpq, depthMetrics, meanDepthMetrics, outlierId, addPqStats, emptyPqStats,
  CITYSCAPES_DVPS_EVAL, SEMKITTI_DVPS_EVAL, motsMetrics,
} from '../lib/papers/vip-deeplab/metrics';

// Cityscapes rules on two classes: 0 = stuff, 1 = thing ("car"), void category 32, L = 1000.
const CFG: PanopticEvalConfig = { numClasses: 2, labelDivisor: 1000, ignoreId: 32, thingIds: [1] };
const close = (a: number, b: number, tol = 1e-6, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} expected ${b}, got ${a}`);
const map = (rows: number[][]) => Int32Array.from(rows.flat());

const G1 = map([[0, 0, 0, 0], [0, 0, 0, 0], [1001, 1001, 1002, 1002], [1001, 1001, 1002, 1002]]);
const P1 = map([[0, 0, 0, 0], [0, 0, 0, 1005], [1003, 1003, 1005, 1005], [1003, 1003, 1005, 0]]);

describe('vip metrics: image PQ (eval_dvpq.py vpq_eval)', () => {
  it('PQ1: stuff IoU 7/9, car IoUs 1.0 and 0.6 -> mean 0.788889', () => {
    const s = pqStats(P1, G1, CFG);
    assert.deepEqual([...s.tp], [1, 2]);
    assert.deepEqual([...s.fp], [0, 0]);
    assert.deepEqual([...s.fn], [0, 0]);
    close(s.iou[0], 7 / 9); close(s.iou[1], 1.6);
    const r = summarizePq(s, CFG);
    close(r.perClass[0].pq, 0.777778, 1e-6); close(r.perClass[1].pq, 0.8); close(r.perClass[1].sq, 0.8); close(r.perClass[1].rq, 1);
    close(r.pq, 0.788889, 1e-6); close(r.pqThing, 0.8); close(r.pqStuff, 7 / 9);
    assert.equal(r.n, 2); assert.equal(r.nThing, 1); assert.equal(r.nStuff, 1);
  });

  const G2 = map([[0, 0, 0, 32000], [0, 0, 0, 32000], [1001, 1001, 1002, 1002], [1001, 1001, 1002, 1002]]);
  it('PQ2: a prediction lying entirely on void is not an FP; void leaves the union -> 1.0', () => {
    const P2 = map([[0, 0, 0, 1007], [0, 0, 0, 1007], [1003, 1003, 1005, 1005], [1003, 1003, 1005, 1005]]);
    const r = panopticQuality(P2, G2, CFG);
    close(r.perClass[0].pq, 1); close(r.perClass[1].pq, 1); close(r.pq, 1);
    assert.equal(r.perClass[1].fp, 0);
  });

  it('PQ3: a prediction exactly 50% on void is still an FP -> 0.733333', () => {
    const P3 = map([[0, 0, 1007, 1007], [0, 0, 1007, 1007], [1003, 1003, 1005, 1005], [1003, 1003, 1005, 1005]]);
    const r = panopticQuality(P3, G2, CFG);
    close(r.perClass[0].pq, 4 / 6); // stuff: ∩ 4, ∪ 6 + 4 - 4
    close(r.perClass[1].pq, 0.8); close(r.perClass[1].sq, 1); close(r.perClass[1].rq, 0.8);
    assert.equal(r.perClass[1].fp, 1);
    close(r.pq, 0.733333, 1e-6);
  });

  it('void is subtracted from the union only for the exact id ignoreId*L (as the official code)', () => {
    // GT: 2 px car, 2 px void 32000; pred covers car + void -> union 4 - 2 = 2 -> IoU 1.
    const gt = Int32Array.from([1001, 1001, 32000, 32000]);
    const pred = Int32Array.from([1009, 1009, 1009, 1009]);
    close(pqStats(pred, gt, CFG).iou[1], 1);
    // With void id 32005 (ignore category, instance 5) the overlap is not subtracted: IoU 2/4 = 0.5 -> no TP,
    // and the prediction is exactly 50% on ignored ids -> still an FP.
    const gt2 = Int32Array.from([1001, 1001, 32005, 32005]);
    const s2 = pqStats(pred, gt2, CFG);
    assert.equal(s2.tp[1], 0); assert.equal(s2.fn[1], 1); assert.equal(s2.fp[1], 1);
  });

  it('IoU exactly 0.5 is not a match (strict > 0.5)', () => {
    const gt = Int32Array.from([1001, 1001, 0, 0]);
    const pred = Int32Array.from([1001, 1001, 1001, 1001]); // ∩ 2, ∪ 4
    const s = pqStats(pred, gt, CFG);
    assert.equal(s.tp[1], 0); assert.equal(s.fp[1], 1); assert.equal(s.fn[1], 1);
  });

  it('different categories never match; the outlier class and void predictions never count', () => {
    const gt = Int32Array.from([0, 0, 0, 1001]);
    const pred = Int32Array.from([1004, 1004, 1004, outlierId(CFG)]);
    const s = pqStats(pred, gt, CFG);
    assert.deepEqual([...s.tp], [0, 0]); assert.deepEqual([...s.fn], [1, 1]); assert.deepEqual([...s.fp], [0, 1]);
    const s2 = pqStats(Int32Array.from([32000, 32000, 0, 0]), Int32Array.from([0, 0, 0, 0]), CFG);
    // stuff: ∩ 2, ∪ 4 -> IoU 0.5 -> no TP; the void-category prediction is never an FP.
    assert.deepEqual([...s2.tp], [0, 0]); assert.deepEqual([...s2.fn], [1, 0]); assert.deepEqual([...s2.fp], [1, 0]);
  });

  it('rejects bad inputs with errors that name the problem', () => {
    assert.throws(() => pqStats(Int32Array.from([0]), Int32Array.from([0, 0]), CFG), /1 pixels, GT has 2/);
    assert.throws(() => pqStats(Int32Array.from([0]), Int32Array.from([7000]), CFG), /GT id 7000.*category 7/);
    assert.throws(() => pqStats(Int32Array.from([9001]), Int32Array.from([0]), CFG), /predicted id 9001/);
    assert.throws(() => pqStats(Int32Array.from([0]), Int32Array.from([0]), { ...CFG, ignoreId: 1 }), /ignoreId/);
    assert.throws(() => summarizePq(emptyPqStats(2), { ...CFG, absentClassPolicy: 'nan' as never }), /absentClassPolicy 'nan'/);
    assert.throws(() => pqStats([], [], CFG), /non-empty/);
  });

  it('presets: Cityscapes and SemKITTI configs are valid; SemKITTI ids up to 2^28 stay exact', () => {
    const L = SEMKITTI_DVPS_EVAL.labelDivisor;
    const gt = Int32Array.from([18 * L + 70000, 18 * L + 70000, 255 * L, 0]);
    const pred = Int32Array.from([18 * L + 3, 18 * L + 3, 18 * L + 3, 0]);
    const s = pqStats(pred, gt, SEMKITTI_DVPS_EVAL);
    assert.equal(s.tp[18], 1); close(s.iou[18], 1); assert.equal(s.tp[0], 1);
    const r = summarizePq(s, SEMKITTI_DVPS_EVAL);
    assert.equal(r.policy, 'zero'); assert.equal(r.n, 19); close(r.pq, 2 / 19);
    assert.equal(summarizePq(pqStats(Int32Array.from([11001]), Int32Array.from([11001]), CITYSCAPES_DVPS_EVAL), CITYSCAPES_DVPS_EVAL).n, 1);
  });
});

describe('vip metrics: absent-class policy (spec §8.8)', () => {
  // Three classes; class 2 never appears in GT nor prediction.
  const cfg3: PanopticEvalConfig = { numClasses: 3, labelDivisor: 1000, ignoreId: 32, thingIds: [1, 2] };
  it("'skip' averages the present classes only, 'zero' counts the absent one as 0", () => {
    const skip = panopticQuality(P1, G1, cfg3);
    assert.equal(skip.policy, 'skip'); assert.equal(skip.n, 2); close(skip.pq, 0.788889, 1e-6);
    assert.equal(skip.nThing, 1); close(skip.pqThing, 0.8);
    const zero = panopticQuality(P1, G1, { ...cfg3, absentClassPolicy: 'zero' });
    assert.equal(zero.n, 3); close(zero.pq, (7 / 9 + 0.8) / 3); close(zero.pqThing, 0.4);
    assert.equal(zero.perClass[2].present, false);
  });
  it('a class with only FPs is present and scores 0 under both policies', () => {
    const r = panopticQuality(Int32Array.from([0, 2001]), Int32Array.from([0, 0]), cfg3);
    assert.equal(r.n, 2); assert.equal(r.perClass[2].pq, 0); assert.equal(r.perClass[2].fp, 1);
  });
  it('a group with no averaged class gives NaN with n = 0', () => {
    const r = panopticQuality(Int32Array.from([0, 0]), Int32Array.from([0, 0]), cfg3);
    assert.equal(r.nThing, 0); assert.ok(Number.isNaN(r.pqThing)); close(r.pqStuff, 1);
  });
});

describe('vip metrics: DVPQ depth filter (spec §8.4)', () => {
  const gtD = new Float32Array(16).fill(10); gtD[0] = 0;
  const prD = new Float32Array(16).fill(10); prD[2 * 4 + 3] = 13; prD[0] = 100; prD[1] = 11;
  const seq = [{ pred: [P1], gt: [G1], predDepth: [prD], gtDepth: [gtD] }];
  it('lambda 0.5 keeps everything -> 0.788889', () => close(videoPanopticQuality(seq, 1, CFG, 0.5).pq, 0.788889, 1e-6));
  it('lambda 0.25 relabels (2,3) as outlier -> car 1005 IoU 0.4 -> 0.638889', () => {
    const f = filterPredByDepth(P1, prD, gtD, 0.25, CFG);
    assert.equal(f[11], outlierId(CFG)); assert.equal(f[0], 0); assert.equal(f[1], 0);
    assert.equal([...f].filter((v, i) => v !== P1[i]).length, 1);
    const r = videoPanopticQuality(seq, 1, CFG, 0.25);
    close(r.perClass[1].pq, 0.5); close(r.pq, 0.638889, 1e-6);
  });
  it('lambda 0.1: an error exactly equal to lambda is kept, invalid GT depth never filters -> 0.638889', () => {
    const f = filterPredByDepth(P1, prD, gtD, 0.1, CFG);
    assert.equal(f[1], P1[1]); assert.equal(f[0], P1[0]);
    close(videoPanopticQuality(seq, 1, CFG, 0.1).pq, 0.638889, 1e-6);
  });
  it('lambda 0 disables the filter; missing depth for lambda > 0 is an error', () => {
    assert.deepEqual([...filterPredByDepth(P1, prD, gtD, 0, CFG)], [...P1]);
    assert.throws(() => videoPanopticQuality([{ pred: [P1], gt: [G1] }], 1, CFG, 0.25), /no predDepth\/gtDepth/);
    assert.throws(() => filterPredByDepth(P1, prD, gtD, -1, CFG), /lambda/);
  });
  it('quantizeDepth256 rounds to 1/256 m as the 16-bit PNGs', () => {
    const q = quantizeDepth256([1.0, 1.001, 300]);
    close(q[0], 1); close(q[1], 256 / 256); close(q[2], 65535 / 256);
  });
});

describe('vip metrics: VPQ windows (spec §8.5-8.7)', () => {
  const good = map([[0, 0, 0, 0], [0, 0, 0, 0], [1003, 1003, 1005, 1005], [1003, 1003, 1005, 1005]]);
  const swapped = map([[0, 0, 0, 0], [0, 0, 0, 0], [1005, 1005, 1003, 1003], [1005, 1005, 1003, 1003]]);
  it('an ID switch: k=1 -> 1.0, k=2 -> 0.5 (car tubes IoU 1/3); consistent ids -> 1.0', () => {
    const sw = [{ pred: [good, swapped], gt: [G1, G1] }];
    close(videoPanopticQuality(sw, 1, CFG).pq, 1);
    const r2 = videoPanopticQuality(sw, 2, CFG);
    close(r2.pq, 0.5); assert.equal(r2.stats.tp[1], 0); assert.equal(r2.stats.fp[1], 2); assert.equal(r2.stats.fn[1], 2);
    const ok = [{ pred: [good, good], gt: [G1, G1] }];
    close(videoPanopticQuality(ok, 1, CFG).pq, 1); close(videoPanopticQuality(ok, 2, CFG).pq, 1);
  });
  it('three frames, switch in frame 3: k=1 1.0, k=2 0.75, k=3 0.5', () => {
    const s = [{ pred: [good, good, swapped], gt: [G1, G1, G1] }];
    close(videoPanopticQuality(s, 1, CFG).pq, 1);
    const r2 = videoPanopticQuality(s, 2, CFG);
    close(r2.pq, 0.75); assert.equal(r2.stats.tp[1], 2); assert.equal(r2.stats.fp[1], 2); assert.equal(r2.stats.fn[1], 2);
    close(videoPanopticQuality(s, 3, CFG).pq, 0.5);
  });
  it('T - k + 1 windows per sequence; statistics are summed before the per-class PQ', () => {
    assert.deepEqual(windowStarts(6, 1), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(windowStarts(6, 4), [0, 1, 2]);
    assert.deepEqual(windowStarts(2, 3), []);
    assert.throws(() => windowStarts(5, 0), /k must be an integer >= 1/);
    const seqs = [{ pred: [good, good, swapped], gt: [G1, G1, G1] }, { pred: [good, good, good, good], gt: [G1, G1, G1, G1] }];
    const { stats, windows } = vpqStats(seqs, 2, CFG);
    assert.equal(windows, 2 + 3);
    assert.equal(stats.tp[1], 2 + 6); assert.equal(stats.fp[1], 2);
    // summed: car PQ = 8 / (8 + 1 + 1) = 0.8; a mean of per-window PQs would be (1 + 0 + 1 + 1 + 1)/5 = 0.8 for car too,
    // so check stuff+car on a case where they differ: sequence A alone per-window means (1, 0) vs summed 0.5.
    const a = vpqStats([seqs[0]], 2, CFG).stats;
    const manual = addPqStats(pqStats([good, good], [G1, G1], CFG), pqStats([good, swapped], [G1, G1], CFG));
    assert.deepEqual([...a.tp], [...manual.tp]); assert.deepEqual([...a.fp], [...manual.fp]);
    close(summarizePq(stats, CFG).perClass[1].pq, 0.8);
    // Summed statistics differ from a mean of per-window PQs: frame A car PQ 0.8 (tp 2, IoU 1.6),
    // frame B all predicted as stuff (car fn 2): summed car PQ = 1.6 / (2 + 1) = 0.533333, mean would be 0.4.
    const allStuff = new Int32Array(16);
    const r = videoPanopticQuality([{ pred: [P1, allStuff], gt: [G1, G1] }], 1, CFG);
    close(r.perClass[1].pq, 1.6 / 3); assert.equal(r.windows, 2);
  });
  it('too short sequences for k are an error naming the length', () => {
    assert.throws(() => vpqStats([{ pred: [good], gt: [G1] }], 2, CFG), /no window of k=2/);
    assert.throws(() => vpqStats([{ pred: [good], gt: [G1, G1] }], 1, CFG), /1 prediction frames but 2 GT/);
  });
});

describe('vip metrics: DVPQ table', () => {
  it('oracle predictions with perfect depth score 1 everywhere; noisy depth decreases with smaller lambda', () => {
    const d = new Float32Array(16).fill(10);
    const noisy = new Float32Array(16).fill(10); noisy[8] = 11.5; noisy[9] = 11.5; noisy[10] = 12.2; noisy[11] = 12.2; // 15% and 22% errors on car rows
    const seq = [{ pred: [G1, G1, G1], gt: [G1, G1, G1], predDepth: [d, d, d], gtDepth: [d, d, d] }];
    const r = dvpq(seq, { ks: [1, 2, 3], lambdas: [0.5, 0.25, 0.1], cfg: CFG });
    assert.equal(r.cells.length, 9);
    for (const c of r.cells) { close(c.all, 1); close(c.thing, 1); close(c.stuff, 1); }
    close(r.mean.all, 1);
    const seqN = [{ pred: [G1, G1, G1], gt: [G1, G1, G1], predDepth: [noisy, noisy, noisy], gtDepth: [d, d, d] }];
    const rn = dvpq(seqN, { ks: [1, 2], lambdas: [0, 0.5, 0.2, 0.1], cfg: CFG });
    const at = (k: number, l: number) => rn.cells.find((c) => c.k === k && c.lambda === l)!.all;
    close(at(1, 0), 1); close(at(1, 0.5), 1);
    // lambda 0.2: the 22% pixels (cols 2-3 of row 2) drop -> car 1002 keeps 2/4 px -> IoU 0.5 -> FN + FP.
    close(at(1, 0.2), (1 + 1 / 2) / 2);
    // lambda 0.1: all 4 row-2 pixels drop -> each car keeps 2 of 4 -> both fail -> car 0.
    close(at(1, 0.1), 0.5);
    assert.equal(rn.meanByK.length, 2); assert.equal(rn.meanByLambda.length, 4);
    close(rn.meanByLambda[3].all, 0.5);
    close(rn.mean.all, rn.cells.reduce((a, c) => a + c.all, 0) / rn.cells.length);
  });
});

describe('vip metrics: depth (spec §8.19, KITTI units)', () => {
  it('d=[10,20,30,40], pred=[12,18,30,50]', () => {
    const m = depthMetrics([10, 20, 30, 40], [12, 18, 30, 50])!;
    close(m.silog, 13.380895, 1e-5); close(m.sqRel, 2.8125, 1e-9); close(m.absRel, 13.75, 1e-9);
    close(m.iRMSE, 9.132935, 1e-5); close(m.delta1_25, 0.75); assert.equal(m.n, 4);
    close(m.rmse, Math.sqrt((4 + 4 + 0 + 100) / 4), 1e-9);
    close(m.sqRelEigen, (4 / 10 + 4 / 20 + 0 + 100 / 40) / 4, 1e-9);
    close(m.delta1_1, 0.25); close(m.delta1_5, 1); close(m.delta1_25_2, 1);
    const e = [Math.log(1.2), Math.log(0.9), 0, Math.log(1.25)];
    close(m.rmseLog, Math.sqrt(e.reduce((a, x) => a + x * x, 0) / 4), 1e-9);
  });
  it('pred = 2d: SILog 0 (clamped radicand), absRel 100, sqRel 100, iRMSE 330.718914; 1.25 is not < 1.25', () => {
    const m = depthMetrics([1, 2, 4], [2, 4, 8])!;
    assert.ok(Number.isFinite(m.silog)); close(m.silog, 0, 1e-5);
    close(m.absRel, 100); close(m.sqRel, 100); close(m.iRMSE, 330.718914, 1e-5);
    close(depthMetrics([4], [5])!.delta1_25, 0);
  });
  it('invalid GT pixels are skipped; images without valid pixels leave the mean', () => {
    const m = depthMetrics([0, 10, 0], [5, 10, 7])!;
    assert.equal(m.n, 1); close(m.absRel, 0);
    assert.equal(depthMetrics([0, 0], [1, 1]), null);
    const mean = meanDepthMetrics([[10, 20, 30, 40], [0, 0], [1, 2, 4]], [[12, 18, 30, 50], [3, 3], [2, 4, 8]]);
    assert.equal(mean.n, 2); close(mean.absRel, (13.75 + 100) / 2, 1e-9);
    assert.throws(() => depthMetrics([1, 2], [1]), /GT has 2 pixels, prediction 1/);
    assert.throws(() => meanDepthMetrics([[0]], [[1]]), /no image has a valid GT/);
  });
});

describe('vip metrics: MOTS (spec §8.21)', () => {
  // One car track (class 1, obj 1001) over 2 frames, 4 px each, in a 1x6 strip.
  const gt = Int32Array.from([1001, 1001, 1001, 1001, 0, 0]);
  it('id switch with IoU 1.0 then 0.6: MOTSA 0.5, sMOTSA 0.3, MOTSP 0.8', () => {
    const f1 = Int32Array.from([1001, 1001, 1001, 1001, 0, 0]);
    const f2 = Int32Array.from([0, 1002, 1002, 1002, 1002, 0]); // ∩ 3, ∪ 5 -> 0.6
    const r = motsMetrics([{ gt, hyp: f1 }, { gt, hyp: f2 }], 1);
    assert.equal(r.M, 2); assert.equal(r.TP, 2); close(r.softTP, 1.6); assert.equal(r.IDS, 1); assert.equal(r.FP, 0);
    close(r.MOTSA, 0.5); close(r.sMOTSA, 0.3); close(r.MOTSP, 0.8);
    const f2fp = Int32Array.from([0, 1002, 1002, 1002, 1002, 1003]);
    const r2 = motsMetrics([{ gt, hyp: f1 }, { gt, hyp: f2fp }], 1);
    close(r2.MOTSA, 0); close(r2.sMOTSA, -0.2);
  });
  it('the same hypothesis id over time is no switch; other classes and ignore regions do not count', () => {
    const r = motsMetrics([{ gt, hyp: gt }, { gt, hyp: gt }], 1);
    assert.equal(r.IDS, 0); close(r.sMOTSA, 1);
    const g2 = Int32Array.from([1001, 1001, 1001, 1001, 10000, 10000]);
    const h2 = Int32Array.from([1001, 1001, 1001, 1001, 1009, 2001]);
    const r2 = motsMetrics([{ gt: g2, hyp: h2 }], 1);
    assert.equal(r2.FP, 0); assert.equal(r2.TP, 1);
    assert.equal(motsMetrics([{ gt: g2, hyp: h2 }], 2).FP, 0); // the class-2 hyp lies on ignore
    assert.throws(() => motsMetrics([{ gt, hyp: Int32Array.from([0]) }], 1), /GT has 6 pixels/);
  });
});
