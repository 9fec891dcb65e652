// Learning-rate and loss-weight schedules as plain functions of a (possibly fractional) step or epoch.

/** Step decay: base * gamma^(number of milestones <= t). milestones in the same unit as t. */
export function stepDecay(base: number, milestones: number[], gamma = 0.1): (t: number) => number {
  const ms = [...milestones].sort((a, b) => a - b);
  return (t) => base * Math.pow(gamma, ms.filter((m) => t >= m).length);
}

/** Cosine annealing from base to min over [0, total] (torch CosineAnnealingLR without restarts). */
export function cosine(base: number, total: number, min = 0): (t: number) => number {
  if (!(total > 0)) throw new Error(`cosine: total must be > 0, got ${total}`);
  return (t) => min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * Math.min(Math.max(t, 0), total) / total));
}

/** Linear warm-up from `start` (default 0) to the wrapped schedule's value over `warmup` units. */
export function linearWarmup(warmup: number, after: (t: number) => number, start = 0): (t: number) => number {
  return (t) => {
    if (warmup <= 0 || t >= warmup) return after(t);
    const target = after(warmup);
    return start + (target - start) * (t / warmup);
  };
}

/**
 * Sigmoid-shaped ramp-up of Laine & Aila / Tarvainen & Valpola: max * exp(-5 (1 - t/length)^2)
 * for t < length, max afterwards (0 at length 0 -> max immediately).
 */
export function sigmoidRampup(length: number, max = 1): (t: number) => number {
  return (t) => {
    if (length <= 0) return max;
    const p = Math.min(Math.max(t, 0), length) / length;
    return max * Math.exp(-5 * (1 - p) * (1 - p));
  };
}

/** Sigmoid ramp-down of the same papers: exp(-12.5 (1 - (total - t)/length)^2) for the last `length` units. */
export function sigmoidRampdown(length: number, total: number): (t: number) => number {
  return (t) => {
    if (t < total - length) return 1;
    const p = Math.min(Math.max(total - t, 0), length) / length;
    return Math.exp(-12.5 * (1 - p) * (1 - p));
  };
}

/** Piecewise-constant: values[i] on [boundaries[i-1], boundaries[i]). values.length = boundaries.length + 1. */
export function piecewise(boundaries: number[], values: number[]): (t: number) => number {
  if (values.length !== boundaries.length + 1) throw new Error('piecewise: need one more value than boundaries');
  return (t) => { let i = 0; while (i < boundaries.length && t >= boundaries[i]) i++; return values[i]; };
}

/** Polynomial decay (DeepLab "poly"): base * (1 - t/total)^power. */
export function poly(base: number, total: number, power = 0.9): (t: number) => number {
  return (t) => base * Math.pow(Math.max(0, 1 - t / total), power);
}

export const constant = (v: number) => (_t: number) => v;
