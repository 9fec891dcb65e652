// The DVPQ table (Table 7-I): DVPQ^k_lambda for every (k, lambda), thing/stuff splits, the row and
// column means and the final score = mean over all cells (spec §2.6). lambda = 0 in `lambdas` gives
// the plain VPQ^k row.
import { checkEvalConfig } from './config';
import { EvalSequence, DvpqCell, DvpqResult, PanopticEvalConfig } from './types';
import { depthFilteredPreds, videoPanopticQuality } from './vpq';

export interface DvpqOptions {
  /** Window sizes: Cityscapes-DVPS [1,2,3,4], SemKITTI-DVPS [1,5,10,20]. */
  ks: number[];
  /** Depth thresholds: [0.5, 0.25, 0.1] in the thesis. */
  lambdas: number[];
  cfg: PanopticEvalConfig;
}

function avg(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

export function dvpq(sequences: EvalSequence[], opts: DvpqOptions): DvpqResult {
  const where = 'dvpq';
  checkEvalConfig(opts.cfg, where);
  const { ks, lambdas } = opts;
  if (!Array.isArray(ks) || ks.length === 0) throw new Error(`${where}: ks must be a non-empty array of window sizes`);
  if (!Array.isArray(lambdas) || lambdas.length === 0) throw new Error(`${where}: lambdas must be a non-empty array of depth thresholds`);
  const cells: DvpqCell[] = [];
  for (const lambda of lambdas) {
    if (!(lambda >= 0)) throw new Error(`${where}: lambda must be >= 0, got ${lambda}`);
    if (lambda > 0) sequences.forEach((s, i) => { if (!s.predDepth || !s.gtDepth) throw new Error(`${where}: sequence ${i} has no predDepth/gtDepth, needed for lambda ${lambda}`); });
    // filter once per lambda, then evaluate every k on the filtered predictions
    const filtered: EvalSequence[] = sequences.map((s) => ({ pred: depthFilteredPreds(s, lambda, opts.cfg), gt: s.gt }));
    for (const k of ks) {
      const r = { ...videoPanopticQuality(filtered, k, opts.cfg, 0), lambda };
      cells.push({ k, lambda, all: r.pq, thing: r.pqThing, stuff: r.pqStuff, result: r });
    }
  }
  const m = (sel: DvpqCell[]) => ({ all: avg(sel.map((c) => c.all)), thing: avg(sel.map((c) => c.thing)), stuff: avg(sel.map((c) => c.stuff)) });
  return {
    ks: [...ks], lambdas: [...lambdas], cells,
    mean: m(cells),
    meanByK: ks.map((k) => ({ k, ...m(cells.filter((c) => c.k === k)) })),
    meanByLambda: lambdas.map((lambda) => ({ lambda, ...m(cells.filter((c) => c.lambda === lambda)) })),
  };
}
