// Worker-thread side of runParallel: initialise the backend once, then run tasks as they arrive.
import { parentPort } from 'worker_threads';
import * as path from 'path';

interface TaskMsg { index: number; module: string; fn: string; config: unknown; backend?: string; wasmThreads?: number }

let ready: Promise<unknown> | null = null;

parentPort?.on('message', async (msg: TaskMsg | 'exit') => {
  if (msg === 'exit') { process.exit(0); }
  const m = msg as TaskMsg;
  try {
    if (!ready) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const be = require(path.join(__dirname, '..', 'backend')) as typeof import('../backend');
      ready = be.initBackend({ verbose: false, wasmThreads: m.wasmThreads, ...(m.backend ? { backend: m.backend as never } : {}) });
    }
    await ready;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(m.module) as Record<string, unknown>;
    const f = mod[m.fn];
    if (typeof f !== 'function') {
      throw new Error(`module '${m.module}' has no exported function '${m.fn}' (exports: ${Object.keys(mod).join(', ')})`);
    }
    const result = await (f as (c: unknown) => unknown)(m.config);
    parentPort?.postMessage({ index: m.index, ok: true, result });
  } catch (e) {
    const err = e as Error;
    parentPort?.postMessage({ index: m.index, ok: false, error: err?.message ?? String(e), stack: err?.stack });
  }
});
