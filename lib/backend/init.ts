// Pick the fastest TensorFlow.js backend this machine can run, in the order
// tfjs-node-gpu -> tfjs-node -> wasm -> cpu, and make it able to train.
//
// Native backends are detected by the backend name they register ('tensorflow'), never by
// `require` succeeding: danfojs-node's override aliases node_modules/@tensorflow/tfjs-node to
// plain @tensorflow/tfjs, which loads fine but registers nothing.
import * as tf from '@tensorflow/tfjs';
import { registerCpuKernelFixes, registerWasmTrainingKernels } from './wasm-kernels';
import { registerGradientFixes } from './gradient-fixes';
import { prepareWasmThreads, releaseWasmThreads, wasmThreadsInUse, wasmThreadsWanted } from './wasm-threads';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendOptions {
  /** Force one backend (also set by the CV_BACKEND environment variable). */
  backend?: BackendName | 'auto';
  /** Print the choice and the reasons for skipping the others. Default true. */
  verbose?: boolean;
  /** XNNPACK threads for wasm (also CV_WASM_THREADS); default the number of cores, at most 8. */
  wasmThreads?: number;
}

export interface BackendReport {
  /** The backend now active, as named by this library. */
  name: BackendName;
  /** tf.getBackend() after the switch ('tensorflow', 'wasm' or 'cpu'). */
  tfName: string;
  /** Why each earlier candidate was skipped. */
  skipped: { name: BackendName; reason: string }[];
  /** Kernels this library registered for the backend (wasm training kernels). */
  registeredKernels: string[];
  /** Threads the backend computes with (wasm: XNNPACK's threadpool; 1 for cpu). */
  threads?: number;
  /** Why wasm runs on fewer threads than asked, if it does. */
  threadsNote?: string;
}

let current: BackendReport | null = null;

function parseForced(v: string | undefined): BackendName | 'auto' | undefined {
  if (v === undefined || v === '') return undefined;
  const aliases: Record<string, BackendName | 'auto'> = {
    auto: 'auto', 'tensorflow-gpu': 'tensorflow-gpu', 'tfjs-node-gpu': 'tensorflow-gpu', gpu: 'tensorflow-gpu',
    tensorflow: 'tensorflow', 'tfjs-node': 'tensorflow', node: 'tensorflow', wasm: 'wasm', cpu: 'cpu',
  };
  const name = aliases[v.toLowerCase()];
  if (!name) {
    throw new Error(`Unknown backend '${v}': use one of auto, ${BACKEND_ORDER.join(', ')} (or tfjs-node-gpu, tfjs-node)`);
  }
  return name;
}

/** A tiny op whose result we know, run on the candidate backend. */
async function smokeTest(): Promise<void> {
  const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [1]])));
  const v = await y.data();
  y.dispose();
  if (Math.abs(v[0] - 3) > 1e-6 || Math.abs(v[1] - 7) > 1e-6) throw new Error(`smoke op gave ${Array.from(v)}`);
}

async function tryNative(pkg: string): Promise<string | null> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require(pkg);
  } catch (e) {
    return `${pkg} is not installed or failed to load (${(e as Error).message.split('\n')[0]})`;
  }
  if (!tf.findBackend('tensorflow') && !tf.engine().registryFactory['tensorflow']) {
    return `${pkg} loaded but registered no 'tensorflow' backend (it is the danfojs alias of @tensorflow/tfjs, or libtensorflow is missing)`;
  }
  return null;
}

let threadsNote: string | undefined;

/** Initialise wasm with the threads asked for; fall back to one thread if the threaded build fails. */
async function setWasmBackend(threads: number): Promise<boolean> {
  threadsNote = undefined;
  if (threads > 1) {
    let restore = () => undefined as void;
    let ok = false, why = 'tf.setBackend returned false';
    try {
      restore = prepareWasmThreads(threads);
      ok = await tf.setBackend('wasm');
    } catch (e) {
      why = (e as Error).message?.split('\n')[0] ?? String(e);
    } finally {
      restore();
    }
    if (ok) {
      releaseWasmThreads();
      return true;
    }
    threadsNote = `threaded wasm failed (${why}); running single-threaded`;
  }
  prepareWasmThreads(1)();
  return tf.setBackend('wasm');
}

async function activate(name: BackendName, wasmThreads: number): Promise<string | null> {
  try {
    if (name === 'tensorflow-gpu' || name === 'tensorflow') {
      const why = await tryNative(name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
      if (why) return why;
      if (!(await tf.setBackend('tensorflow'))) return `the 'tensorflow' backend failed to initialise`;
    } else if (name === 'wasm') {
      require('@tensorflow/tfjs-backend-wasm');
      if (!(await setWasmBackend(wasmThreads))) return 'the wasm backend failed to initialise';
    } else {
      if (!(await tf.setBackend('cpu'))) return 'the cpu backend failed to initialise';
    }
    await tf.ready();
    await smokeTest();
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

/**
 * Choose and activate a backend. Idempotent: a second call with the same request returns the
 * first report. With `backend` (or CV_BACKEND) set, only that backend is tried and a failure throws.
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendReport> {
  const forced = options.backend ?? parseForced(process.env.CV_BACKEND) ?? 'auto';
  if (options.backend !== undefined) parseForced(options.backend); // validates the option's spelling
  if (current && (forced === 'auto' || forced === current.name) && tf.getBackend() === current.tfName) return current;
  const candidates = forced === 'auto' ? BACKEND_ORDER : [forced];
  const skipped: BackendReport['skipped'] = [];
  const wasmThreads = wasmThreadsWanted(options.wasmThreads);
  for (const name of candidates) {
    const why = await activate(name, wasmThreads);
    if (why) {
      skipped.push({ name, reason: why });
      continue;
    }
    const cpuFixes = registerCpuKernelFixes();
    registerGradientFixes();
    const registeredKernels = name === 'wasm' ? registerWasmTrainingKernels() : name === 'cpu' ? cpuFixes : [];
    current = { name, tfName: tf.getBackend(), skipped, registeredKernels };
    if (name === 'wasm') {
      current.threads = wasmThreadsInUse();
      if (threadsNote) current.threadsNote = threadsNote;
    } else if (name === 'cpu') current.threads = 1;
    if (options.verbose ?? true) console.log(describeBackend(current));
    return current;
  }
  throw new Error(`No usable TensorFlow.js backend (${forced === 'auto' ? 'tried ' + candidates.join(', ') : 'forced ' + forced}): ` +
    skipped.map((s) => `${s.name}: ${s.reason}`).join('; '));
}

/** The active backend report, or null before initBackend. */
export function backendReport(): BackendReport | null {
  return current;
}

export function describeBackend(r: BackendReport): string {
  const threads = r.threads !== undefined ? `, ${r.threads} thread${r.threads === 1 ? '' : 's'}` : '';
  const lines = [`collab-vision backend: ${r.name} (tf.getBackend() = '${r.tfName}'${threads})`];
  if (r.threadsNote) lines.push(`  ${r.threadsNote}`);
  for (const s of r.skipped) lines.push(`  skipped ${s.name}: ${s.reason}`);
  if (r.registeredKernels.length) lines.push(`  registered ${r.registeredKernels.length} kernels for ${r.tfName}: ${r.registeredKernels.join(', ')}`);
  return lines.join('\n');
}
