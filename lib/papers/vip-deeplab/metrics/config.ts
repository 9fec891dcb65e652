// Validation and small helpers over PanopticEvalConfig shared by the metric files.
import { AbsentClassPolicy, PanopticEvalConfig } from './types';

const POLICIES: AbsentClassPolicy[] = ['skip', 'zero'];

/** Throws naming the problem if a config is unusable; returns the resolved absent-class policy. */
export function checkEvalConfig(cfg: PanopticEvalConfig, where: string): AbsentClassPolicy {
  if (!cfg || typeof cfg !== 'object') throw new Error(`${where}: missing PanopticEvalConfig`);
  const { numClasses, labelDivisor, ignoreId, thingIds } = cfg;
  if (!Number.isInteger(numClasses) || numClasses <= 0) throw new Error(`${where}: numClasses must be a positive integer, got ${numClasses}`);
  if (!Number.isInteger(labelDivisor) || labelDivisor <= 1) throw new Error(`${where}: labelDivisor must be an integer > 1, got ${labelDivisor}`);
  if (!Number.isInteger(ignoreId) || ignoreId < 0) throw new Error(`${where}: ignoreId must be a non-negative integer, got ${ignoreId}`);
  if (ignoreId < numClasses || ignoreId === numClasses) {
    throw new Error(`${where}: ignoreId ${ignoreId} must be > numClasses (${numClasses}); classes 0..numClasses-1 are scored and numClasses is the depth-outlier dummy class`);
  }
  if (!Array.isArray(thingIds)) throw new Error(`${where}: thingIds must be an array`);
  for (const t of thingIds) {
    if (!Number.isInteger(t) || t < 0 || t >= numClasses) throw new Error(`${where}: thing id ${t} is not a class in 0..${numClasses - 1}`);
  }
  if (cfg.classNames && cfg.classNames.length !== numClasses) {
    throw new Error(`${where}: classNames has ${cfg.classNames.length} names, numClasses is ${numClasses}`);
  }
  const policy = cfg.absentClassPolicy ?? 'skip';
  if (!POLICIES.includes(policy)) throw new Error(`${where}: unknown absentClassPolicy '${policy}' (use 'skip' or 'zero')`);
  return policy;
}

/**
 * The id depth outliers are relabelled to before matching: the dummy category `numClasses`
 * (official: `19 * max_ins`), never present in GT and never averaged.
 */
export function outlierId(cfg: PanopticEvalConfig): number {
  return cfg.numClasses * cfg.labelDivisor;
}
