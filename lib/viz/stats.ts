// Small numeric helpers behind the plots: EMA smoothing and mean/std over seeds.
import { summarize } from '../metrics/stats';

/**
 * Exponential moving average with TensorBoard's debiasing: s_t = w s_{t-1} + (1-w) y_t, divided by
 * (1 - w^t) so the first points are not pulled towards 0. `weight` in [0, 1): 0 = no smoothing.
 * Non-finite values are passed through and do not enter the average.
 */
export function ema(values: ArrayLike<number>, weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`viz.ema: weight must be in [0, 1), got ${weight}`);
  const out: number[] = [];
  let acc = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (!Number.isFinite(y)) { out.push(y); continue; }
    acc = weight * acc + (1 - weight) * y;
    n += 1;
    out.push(weight === 0 ? y : acc / (1 - Math.pow(weight, n)));
  }
  return out;
}

export interface MeanStd { mean: number; std: number; n: number; min: number; max: number }

/** Mean, sample standard deviation (n-1; 0 for a single value), min and max of finite values. */
export function meanStd(values: ArrayLike<number>): MeanStd {
  const xs = Array.from(values).filter((v) => Number.isFinite(v));
  if (xs.length === 0) return { mean: NaN, std: NaN, n: 0, min: NaN, max: NaN };
  const { mean, std, n, min, max } = summarize(xs);
  return { mean, std, n, min, max };
}
