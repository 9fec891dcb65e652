// Multi-threaded wasm in Node (tensorflow/tfjs#3830), for @tensorflow/tfjs-backend-wasm 4.22.
//
// tfjs refuses threads in Node for three reasons, each worked around here, and only while the
// backend initialises:
//  1. WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false in Node: we set the flag ourselves.
//  2. The pthread worker script and the main script reach Emscripten as Blob URLs, which Node's
//     Worker cannot load. We write both scripts to files (content-addressed, written atomically so
//     concurrent processes agree) and hand Emscripten the file paths instead: URL.createObjectURL
//     is wrapped during init on the main thread, and the worker file starts with a one-line shim
//     that does the same inside each worker.
//  3. The backend caps its XNNPACK threadpool at emscripten_num_logical_cores() / 2 (it assumes
//     two hyper-threads per core), i.e. one thread on a 2-core machine. While the module's static
//     constructors run, os.cpus() reports each core twice, so the cap is the real core count.
// Everything else (kernels, memory, the 8 pre-spawned pthread workers) is tfjs's own threaded build.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

// The os module object itself (a TypeScript namespace import is a frozen copy we cannot patch).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const nodeOs: typeof os = require('os');

/** Threads to use: CV_WASM_THREADS, else the number of cores (tfjs caps it at 8). */
export function wasmThreadsWanted(requested?: number): number {
  const fromEnv = process.env.CV_WASM_THREADS;
  const n = requested ?? (fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : os.cpus().length);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`wasm threads must be a positive integer, got '${requested ?? fromEnv}' (CV_WASM_THREADS or the wasmThreads option)`);
  }
  return Math.min(n, 8);
}

function writeOnce(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return file;
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  return file;
}

/** Write the pthread scripts to disk; returns the worker script's path. */
function materialiseScripts(): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const factory = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
  // The same text tfjs puts in its Blobs (the main script defines the factory under this name).
  const mainText = 'var WasmBackendModuleThreadedSimd = ' + (factory.default ?? factory).toString();
  const hash = crypto.createHash('sha256').update(mainText).update(wasmWorkerContents).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `collab-vision-wasm-threads-${hash}`);
  fs.mkdirSync(dir, { recursive: true });
  const mainFile = writeOnce(dir, 'main.js', mainText);
  // tfjs escapes the worker text's newlines the same way before making its Blob (they sit inside
  // string literals of a one-line script).
  const shim = `URL.createObjectURL = () => ${JSON.stringify(mainFile)}; URL.revokeObjectURL = () => {};\n`;
  return writeOnce(dir, 'worker.js', shim + String(wasmWorkerContents).replace(/\n/g, '\\n'));
}

/**
 * Prepare the next wasm initialisation to run `threads` XNNPACK threads. Call right before
 * tf.setBackend('wasm'), and call the returned function right after it (success or not).
 */
export function prepareWasmThreads(threads: number): () => void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  if (threads <= 1) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return () => undefined;
  }
  const workerFile = materialiseScripts();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  const createObjectURL = URL.createObjectURL;
  const cpus = nodeOs.cpus;
  URL.createObjectURL = (obj: Blob) => (obj instanceof Blob && obj.type === 'application/javascript' ? workerFile : createObjectURL(obj));
  nodeOs.cpus = () => {
    const c = cpus();
    return Array.from({ length: 2 * Math.max(threads, c.length) }, (_, i) => c[i % c.length]);
  };
  return () => {
    URL.createObjectURL = createObjectURL;
    nodeOs.cpus = cpus;
  };
}

/**
 * Let Node exit while the pthread pool is alive. Emscripten keeps a running pthread's Worker
 * ref'd, and XNNPACK's threadpool threads run for the life of the process, so without this a
 * script (or mocha, or the tslab kernel's shutdown) never ends. Workers made later by
 * Emscripten are not covered; tfjs pre-spawns all 8 and XNNPACK uses at most that many.
 */
export function releaseWasmThreads(): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pthread = (tf.backend() as any)?.wasm?.PThread;
  if (!pthread) return;
  for (const w of [...pthread.runningWorkers, ...pthread.unusedWorkers]) {
    w.unref();
    w.ref = () => w; // Emscripten re-refs a worker when it starts a thread on it
  }
}

/** XNNPACK threads of the active wasm backend (1 when single-threaded). */
export function wasmThreadsInUse(): number {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return Math.max(1, require('@tensorflow/tfjs-backend-wasm').getThreadsCount());
}
