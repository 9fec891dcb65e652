// A seeded, timed, self-describing run: every experiment runner returns this record.
import * as tf from '@tensorflow/tfjs';
import { backendReport } from '../backend/init';
import { makeRng, type Rng } from '../util/random';

export interface ExperimentRecord<C, M> {
  config: C;
  backend: string;
  seed: number;
  wallTimeMs: number;
  startedAt: string;
  metrics: M;
}

/**
 * Run `fn` with a seeded Rng and record config, backend, seed, wall time and the metrics it returns.
 * `config.seed` is used when `seed` is not given (default 0).
 */
export async function runExperiment<C extends object, M>(
  config: C, fn: (run: { config: C; seed: number; rng: Rng }) => M | Promise<M>, seed?: number,
): Promise<ExperimentRecord<C, M>> {
  const s = seed ?? ((config as { seed?: unknown }).seed as number | undefined) ?? 0;
  if (!Number.isFinite(s)) throw new Error(`runExperiment: seed must be a number, got ${String(s)}`);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const metrics = await fn({ config, seed: s, rng: makeRng(s) });
  return { config, backend: backendReport()?.name ?? tf.getBackend(), seed: s, wallTimeMs: Date.now() - t0, startedAt, metrics };
}
