// The per-epoch schedules of thesis §3.2.5: the exponential lambda ramp-up and the cosine LR.
// Epoch T may be fractional (epoch + iter/itersPerEpoch) for short runs [choice, spec §2.x].

/** lambda(T) = lambdaMax * exp(-5 (1 - T/Tw)^2) for T < Tw, lambdaMax afterwards (Tw = 80 in the thesis). */
export function rampWeight(lambdaMax: number, warmupEpochs = 80): (T: number) => number {
  if (!(warmupEpochs >= 0)) throw new Error(`rampWeight: warmupEpochs must be >= 0, got ${warmupEpochs}`);
  return (T) => {
    if (warmupEpochs === 0 || T >= warmupEpochs) return lambdaMax;
    const r = 1 - Math.max(0, T) / warmupEpochs;
    return lambdaMax * Math.exp(-5 * r * r);
  };
}

/** lr(T) = base (1 + cos((T-1) pi / total)), T 1-indexed: 0.1 at T=1 for base 0.05, total 600 (SVHN/CIFAR). */
export function cosineLR(base = 0.05, totalEpochs = 600): (T: number) => number {
  if (!(totalEpochs > 0)) throw new Error(`cosineLR: totalEpochs must be > 0, got ${totalEpochs}`);
  return (T) => base * (1 + Math.cos(((T - 1) * Math.PI) / totalEpochs));
}

/** ImageNet DCT phase: 0.005 (1 + cos((T-1) pi / 20)). */
export const imagenetDctLR = (): ((T: number) => number) => cosineLR(0.005, 20);

/** ImageNet supervised pre-training: 0.1 for epochs 1..300, 0.01 from 301 (of 600). */
export function stepLR(base = 0.1, dropAt = 301, gamma = 0.1): (T: number) => number {
  return (T) => (T >= dropAt ? base * gamma : base);
}
