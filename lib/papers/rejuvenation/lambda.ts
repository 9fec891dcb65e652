// Adaptive sparsity coefficient lambda (thesis 5.3.1.3, spec 2.5) and the NR trigger.
// At every check (every Delta_t iterations while the NR flag is on):
//   r < T_r                      -> rejuvenate, lambda = 0, r_prev = 1
//   r < r_prev - Delta_r          -> keep lambda   (r is still falling fast enough)
//   otherwise                     -> lambda += Delta_lambda
// The thesis form (strict <) is used; the reference code differs only at exact equality.
// First comparison is against r_prev = 1 (reference code).

export interface LambdaOptions {
  deltaR?: number;      // thesis 0.01
  deltaLambda?: number; // thesis 5e-5 per ImageNet epoch; rescale for short Delta_t (spec 7.2)
  Tr?: number;          // thesis 0.5 (0.25 for the ablation / compression)
  lambda0?: number;     // thesis 0
  /** Fixed-lambda mode of the reference CIFAR script: lambda never changes (still resets to it). */
  fixed?: number;
  /**
   * Upper bound on lambda [derived, (D)]; default Infinity (thesis: unbounded). With the subgradient
   * lambda * sign(gamma) and momentum m, a penalised gamma does not settle at 0 but jitters around it
   * with amplitude ~ lr * lambda / (1 - m); once that exceeds the dead threshold 0.01 * max|gamma|,
   * raising lambda no longer kills neurons (r stalls, accuracy collapses). Only an issue at small
   * scale, where Delta_lambda is rescaled for a short Delta_t (spec 7.2, 9.13): with the thesis's
   * lambda ~ 1e-4 and lr 0.1 the jitter is far below the threshold.
   */
  max?: number;
}

export interface LambdaCheck { r: number; lambda: number; trigger: boolean; action: 'rejuvenate' | 'keep' | 'increase' }

export interface AdaptiveLambda {
  readonly state: { lambda: number; rPrev: number; checks: number };
  /** Record a utilization check; returns the lambda to use for the next Delta_t iterations. */
  check(r: number): LambdaCheck;
  reset(): void;
}

export function adaptiveLambda(o: LambdaOptions = {}): AdaptiveLambda {
  const deltaR = o.deltaR ?? 0.01, deltaLambda = o.deltaLambda ?? 5e-5, Tr = o.Tr ?? 0.5, lambda0 = o.fixed ?? o.lambda0 ?? 0;
  const max = o.max ?? Infinity;
  if (!(max > 0)) throw new Error(`adaptiveLambda: max must be > 0, got ${max}`);
  if (!(Tr > 0 && Tr < 1)) throw new Error(`adaptiveLambda: Tr must be in (0, 1), got ${Tr}`);
  if (!(deltaR >= 0) || !(deltaLambda >= 0)) throw new Error(`adaptiveLambda: deltaR and deltaLambda must be >= 0, got ${deltaR}, ${deltaLambda}`);
  const state = { lambda: lambda0, rPrev: 1, checks: 0 };
  return {
    state,
    check(r: number): LambdaCheck {
      if (!Number.isFinite(r) || r < 0 || r > 1 + 1e-9) throw new Error(`adaptiveLambda.check: utilization r must be in [0, 1], got ${r}`);
      state.checks++;
      if (r < Tr) {
        state.lambda = lambda0; state.rPrev = 1;
        return { r, lambda: state.lambda, trigger: true, action: 'rejuvenate' };
      }
      let action: LambdaCheck['action'] = 'keep';
      if (o.fixed === undefined && !(r < state.rPrev - deltaR) && state.lambda < max) { state.lambda = Math.min(max, state.lambda + deltaLambda); action = 'increase'; }
      state.rPrev = r;
      return { r, lambda: state.lambda, trigger: false, action };
    },
    reset() { state.lambda = lambda0; state.rPrev = 1; },
  };
}
