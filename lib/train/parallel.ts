// Run tasks (module + exported function + JSON config) in worker threads, one per core. The
// workers split the wasm threads between them (two workers on two cores: one XNNPACK thread
// each), so small models, whose kernels scale poorly over threads, gain most. Results come back
// in task order; the first failure rejects with the task named and stops the pool.
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import { Worker } from 'worker_threads';
import { wasmThreadsWanted } from '../backend/wasm-threads';

export interface ParallelTask {
  /**
   * Path of a compiled CommonJS module (absolute, or relative to the current directory); inside a
   * runner module, `__filename` names the module itself.
   */
  module: string;
  /** Name of an exported (async) function taking the config. */
  fn: string;
  /** Structured-cloneable config (plain JSON). */
  config?: unknown;
  /** Name used in errors and logs; default `${fn}#${index}`. */
  name?: string;
}

export interface ParallelOptions {
  /** Number of worker threads; default CV_WORKERS or the number of cores, at most tasks.length. */
  workers?: number;
  /** Backend for the workers' initBackend (default: the usual choice / CV_BACKEND). */
  backend?: string;
  /** Called as each task finishes (any order). */
  onResult?: (index: number, result: unknown) => void;
}

function resolveModule(m: string): string {
  const p = path.isAbsolute(m) ? m : path.resolve(process.cwd(), m);
  const candidates = [p, `${p}.js`, path.join(p, 'index.js')];
  const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (!found) throw new Error(`runParallel: module '${m}' not found (tried ${candidates.join(', ')}); give a compiled .js path`);
  return found;
}

export function defaultWorkers(): number {
  const env = parseInt(process.env.CV_WORKERS ?? '', 10);
  if (env > 0) return env;
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export async function runParallel<R = unknown>(tasks: ParallelTask[], o: ParallelOptions = {}): Promise<R[]> {
  if (tasks.length === 0) return [];
  const names = tasks.map((t, i) => t.name ?? `${t.fn}#${i}`);
  const modules = tasks.map((t) => resolveModule(t.module));
  const nWorkers = Math.max(1, Math.min(o.workers ?? defaultWorkers(), tasks.length));
  const workerFile = path.join(__dirname, 'parallel-worker.js');
  // The workers share the threads (CV_WASM_THREADS or the cores): each wasm worker gets its share.
  const wasmThreads = Math.max(1, Math.floor(wasmThreadsWanted() / nWorkers));
  const results: R[] = new Array(tasks.length);
  const workers: Worker[] = [];
  let next = 0, done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (e: Error) => { if (!failed) { failed = true; reject(e); } };
      const feed = (w: Worker) => {
        if (failed) return;
        if (next >= tasks.length) return;
        const i = next++;
        (w as Worker & { current?: number }).current = i;
        w.postMessage({ index: i, module: modules[i], fn: tasks[i].fn, config: tasks[i].config, backend: o.backend, wasmThreads });
      };
      for (let k = 0; k < nWorkers; k++) {
        const w = new Worker(workerFile);
        workers.push(w);
        w.on('message', (m: { index: number; ok: boolean; result?: R; error?: string; stack?: string }) => {
          if (!m.ok) {
            const e = new Error(`runParallel: task ${m.index} '${names[m.index]}' (${tasks[m.index].fn} in ${tasks[m.index].module}) failed: ${m.error}`);
            if (m.stack) e.stack = `${e.message}\n--- worker stack ---\n${m.stack}`;
            fail(e);
            return;
          }
          results[m.index] = m.result as R;
          o.onResult?.(m.index, m.result);
          done++;
          if (done === tasks.length) resolve(); else feed(w);
        });
        w.on('error', (e) => {
          const i = (w as Worker & { current?: number }).current;
          fail(new Error(`runParallel: worker crashed${i !== undefined ? ` on task ${i} '${names[i]}'` : ''}: ${e.message}`));
        });
        w.on('exit', (code) => {
          if (code !== 0 && done < tasks.length) {
            const i = (w as Worker & { current?: number }).current;
            fail(new Error(`runParallel: worker exited with code ${code}${i !== undefined ? ` on task ${i} '${names[i]}'` : ''}`));
          }
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/**
 * The same runner over several seeds in parallel: `fn(config & {seed})` for each seed, results in
 * seed order. E.g. `runSeeds(__filename, 'runOne', cfg, [0, 1, 2])`.
 */
export function runSeeds<R = unknown>(module: string, fn: string, config: Record<string, unknown>, seeds: number[], o: ParallelOptions = {}): Promise<R[]> {
  return runParallel<R>(seeds.map((seed) => ({ module, fn, config: { ...config, seed }, name: `${fn} seed ${seed}` })), o);
}
