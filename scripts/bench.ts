// `npm run bench [-- --json] [--steps N] [--backends wasm,cpu] [--all] [--no-torch] [--no-shapes]`
// Forward and training throughput (images/s) of the reference CNN on every backend that loads,
// a per-kernel time profile of one training step, a table of conv layer shapes (stride 2, 1x1,
// dilated, depthwise, batch 32-128, 32x32x3, conv + batch norm), a CIFAR ResNet-20 step, peak RSS, and, when `python3 -c
// 'import torch'` works, the same model in PyTorch CPU (scripts/bench-torch.py, best of 1 and 2
// threads) with the ratio. PyTorch is only measured, never a dependency.
//
// Reference CNN (issue 2 item 7): conv3x3-32 ReLU, maxpool 2, conv3x3-64 ReLU, maxpool 2,
// dense-128 ReLU, dense-10 on 28x28x1, batch 64, SGD, softmax cross-entropy. The convs use
// 'same' padding (PyTorch padding=1): 28 -> 14 -> 7, dense input 7*7*64 = 3136, ~4.3 M
// multiply-adds per image forward, ~13 M per training step.
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { BackendName, backendReport, conv2d as dilatedConv2d, initBackend } from '../lib/backend';
import { makeRng } from '../lib/util/random';
import { batchNormForward, collectParams, disposeLayer, referenceCnn, resnetCifarDepth, softmaxCrossEntropy } from '../lib/nn';
import { sgd, trainStep } from '../lib/train';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const JSON_OUT = flag('json');
const STEPS = Number(option('steps', '20'));
const BATCH = 64;
const log = (...a: unknown[]) => { if (!JSON_OUT) console.log(...a); };

function syntheticBatch(seed: number, n = BATCH): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = makeRng(seed);
  const a = new Float32Array(n * 784);
  for (let i = 0; i < a.length; i++) a[i] = rng.next();
  const labels = Array.from({ length: n }, () => rng.int(10));
  return { x: tf.tensor4d(a, [n, 28, 28, 1]), y: tf.tensor1d(labels, 'int32') };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const rssMB = () => process.memoryUsage().rss / 2 ** 20;

interface BackendResult {
  bench: 'train-cnn'; backend: string; threads?: number; imagesPerSec: number; forwardImagesPerSec: number;
  /** Images per second of this process's CPU time: robust to other load on the machine. */
  imagesPerCpuSec: number;
  stepMs: number; steps: number; rssMBAfterWarmup: number; peakRssMB: number; rssMBEnd: number;
  /** RSS change over the second half of the timed steps: ~0 when memory does not grow with steps. */
  rssGrowthSecondHalfMB: number;
  tensorsStable: boolean; finalLoss: number; torchImagesPerSec?: number; ratioVsTorch?: number; cpuTimeRatioVsTorch?: number;
}

async function benchModel(backend: string, steps: number, warmup = 3, withProfile = true): Promise<{ result: BackendResult; profile: [string, number, number][] }> {
  // The library's own path, as the notebooks train: lib/nn's model, lib/train's SGD and step.
  const model = referenceCnn(makeRng(1));
  const params = collectParams(model);
  const opt = sgd({ lr: 0.01 });
  const { x, y } = syntheticBatch(2);
  const train = { training: true }, infer = { training: false };
  const step = () => trainStep({ vars: params, optimizer: opt, loss: () => softmaxCrossEntropy(model.apply(x, train), y) as tf.Scalar }).loss;
  for (let i = 0; i < warmup; i++) step(); // warm-up: XNNPACK operator creation, allocator growth
  const rssWarm = rssMB();
  const tensors0 = tf.memory().numTensors;
  let peak = rssWarm, lossV = NaN;
  const c0 = cpuMs();
  const t0 = now();
  let rssMid = rssWarm;
  for (let i = 0; i < steps; i++) {
    lossV = step();
    peak = Math.max(peak, rssMB());
    if (i === Math.floor(steps / 2)) rssMid = rssMB();
  }
  const trainMs = now() - t0;
  const trainCpuMs = cpuMs() - c0;
  const tensorsStable = tf.memory().numTensors === tensors0;

  const fwd = () => tf.tidy(() => model.apply(x, infer)).dispose();
  fwd();
  const t1 = now();
  const fsteps = steps;
  for (let i = 0; i < fsteps; i++) {
    const p = tf.tidy(() => model.apply(x, infer));
    p.dataSync();
    p.dispose();
  }
  const fwdMs = now() - t1;

  // Per-kernel profile of one training step (top-level kernels; composite ones include their
  // parts), timed in process CPU time so that other load on the machine does not distort it.
  const prof = withProfile ? await profileInCpuTime(() => { step(); }) : { kernels: [] };
  const byName = new Map<string, [number, number]>();
  for (const k of prof.kernels) {
    const e = byName.get(k.name) ?? [0, 0];
    e[0] += Number(k.kernelTimeMs);
    e[1] += 1;
    byName.set(k.name, e);
  }
  const profile = [...byName.entries()].map(([n, [ms, c]]) => [n, ms, c] as [string, number, number]).sort((a, b) => b[1] - a[1]);
  tf.dispose([x, y]);
  disposeLayer(model);
  opt.dispose();
  return {
    result: {
      bench: 'train-cnn', backend, imagesPerSec: round((BATCH * steps) / (trainMs / 1000)),
      forwardImagesPerSec: round((BATCH * fsteps) / (fwdMs / 1000)), imagesPerCpuSec: round((BATCH * steps) / (trainCpuMs / 1000)), stepMs: round(trainMs / steps, 2), steps,
      rssMBAfterWarmup: round(rssWarm), peakRssMB: round(peak), rssMBEnd: round(rssMB()),
      rssGrowthSecondHalfMB: round(rssMB() - rssMid), tensorsStable, finalLoss: round(lossV, 4),
    },
    profile,
  };
}

async function profileInCpuTime(f: () => void): ReturnType<typeof tf.profile> {
  const be = tf.backend() as unknown as { timerAvailable(): boolean; time(f: () => void): Promise<{ kernelMs: number }> };
  const { timerAvailable, time } = be;
  be.timerAvailable = () => true;
  be.time = async (g: () => void) => {
    const c = process.cpuUsage();
    g();
    const d = process.cpuUsage(c);
    return { kernelMs: (d.user + d.system) / 1000 };
  };
  try {
    return await tf.profile(f);
  } finally {
    be.timerAvailable = timerAvailable;
    be.time = time;
  }
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

interface ShapeCase { name: string; x: [number, number, number, number]; k: number; cout: number; stride: number; dilation: number; depthwise?: boolean; bn?: boolean }

const SHAPES: ShapeCase[] = [
  { name: 'conv3x3 s1, 32x32x16 -> 32, b64', x: [64, 32, 32, 16], k: 3, cout: 32, stride: 1, dilation: 1 },
  { name: 'conv3x3 s2, 32x32x32 -> 64, b64', x: [64, 32, 32, 32], k: 3, cout: 64, stride: 2, dilation: 1 },
  { name: 'conv1x1, 16x16x64 -> 128, b64', x: [64, 16, 16, 64], k: 1, cout: 128, stride: 1, dilation: 1 },
  { name: 'conv3x3 dilation 2, 16x16x32 -> 32, b32', x: [32, 16, 16, 32], k: 3, cout: 32, stride: 1, dilation: 2 },
  { name: 'depthwise3x3, 16x16x64, b64', x: [64, 16, 16, 64], k: 3, cout: 64, stride: 1, dilation: 1, depthwise: true },
  { name: 'conv3x3 s1, 32x32x3 -> 16, b128', x: [128, 32, 32, 3], k: 3, cout: 16, stride: 1, dilation: 1 },
  // The same conv as row 1 followed by lib/nn's training-mode batch norm: what a ResNet layer costs.
  { name: 'conv3x3 + batch norm, 32x32x16 -> 32, b64', x: [64, 32, 32, 16], k: 3, cout: 32, stride: 1, dilation: 1, bn: true },
];

function benchShape(c: ShapeCase): { name: string; fwdMs: number; trainMs: number; gmacs: number } {
  const x = tf.randomNormal(c.x) as tf.Tensor4D;
  const w = tf.randomNormal(c.depthwise ? [c.k, c.k, c.x[3], 1] : [c.k, c.k, c.x[3], c.cout]) as tf.Tensor4D;
  const conv = (xx: tf.Tensor4D, ww: tf.Tensor4D) => c.depthwise
    ? tf.depthwiseConv2d(xx, ww, c.stride, 'same')
    : dilatedConv2d(xx, ww, { strides: c.stride, pad: 'same', dilation: c.dilation });
  const stats = { gamma: tf.ones([c.cout]), beta: tf.zeros([c.cout]), runningMean: tf.zeros([c.cout]), runningVar: tf.ones([c.cout]) };
  const f = (xx: tf.Tensor4D, ww: tf.Tensor4D) => (c.bn ? batchNormForward(conv(xx, ww), stats, true).y : conv(xx, ww));
  const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => f(xx as tf.Tensor4D, ww as tf.Tensor4D).square().mean());
  // Process CPU time (wasm runs on this thread), so the table does not depend on other load.
  const time = (fn: () => void, reps: number) => { fn(); const t = cpuMs(); for (let i = 0; i < reps; i++) fn(); return (cpuMs() - t) / reps; };
  // Read back a scalar: copying a large output out of the wasm heap costs more than the conv.
  const fwdMs = time(() => { const y = tf.tidy(() => f(x, w).sum()); y.dataSync(); y.dispose(); }, 2);
  const trainMs = time(() => { const r = g([x, w]); r[1].dataSync(); tf.dispose(r); }, 2);
  const [n, h, wd, ci] = c.x;
  const oh = Math.ceil(h / c.stride), ow = Math.ceil(wd / c.stride);
  const macs = n * oh * ow * c.k * c.k * (c.depthwise ? ci : ci * c.cout) * 3; // forward + two gradients
  tf.dispose([x, w, ...Object.values(stats)]);
  return { name: c.name, fwdMs: round(fwdMs, 2), trainMs: round(trainMs, 2), gmacs: round(macs / (trainMs / 1000) / 1e9, 2) };
}

/** A real model with batch norm and shortcuts (what most paper notebooks train): CPU ms per SGD step. */
function benchResnet20(steps = 5): number {
  const model = resnetCifarDepth(makeRng(1), 20, { numClasses: 10 });
  const vars = collectParams(model);
  const opt = sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
  const { x: x28, y } = syntheticBatch(3, 32);
  const x = tf.tidy(() => tf.tile(tf.image.resizeBilinear(x28, [32, 32]), [1, 1, 1, 3])) as tf.Tensor4D;
  const step = () => trainStep({ vars, optimizer: opt, loss: () => softmaxCrossEntropy(model.apply(x, { training: true }), y) as tf.Scalar });
  for (let i = 0; i < 2; i++) step();
  const t = cpuMs();
  for (let i = 0; i < steps; i++) step();
  const ms = (cpuMs() - t) / steps;
  tf.dispose([x28, x, y]);
  disposeLayer(model);
  opt.dispose();
  return round(ms, 1);
}

interface TorchResult {
  available: boolean; reason?: string; imagesPerSec?: number; forwardImagesPerSec?: number;
  imagesPerCpuSec?: number; byThreads?: Record<string, number>; torch?: string;
}

function benchTorch(steps: number): TorchResult {
  // python3 on PATH first (a pyenv shim may hide Debian's python3-torch), then the system one.
  let python = '', reason = '';
  for (const py of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0) { python = py; break; }
    reason ||= probe.error ? `${py} not runnable (${probe.error.message})` : `${py}: ${probe.stderr.trim().split('\n').pop() ?? 'import torch failed'}`;
  }
  if (!python) return { available: false, reason };
  const script = path.join(__dirname, '..', '..', 'scripts', 'bench-torch.py');
  const r = spawnSync(python, [script, '--steps', String(steps), '--threads', '1,2'], { encoding: 'utf8' });
  if (r.status !== 0) return { available: false, reason: `bench-torch.py failed: ${r.stderr.trim().split('\n').pop()}` };
  return { available: true, ...JSON.parse(r.stdout.trim().split('\n').pop()!) };
}

async function main(): Promise<void> {
  // cpu (plain JS) needs minutes per training step of this model here: it runs when asked
  // (--backends ...,cpu or --all) or when no faster backend loaded.
  const explicit = argv.includes('--backends');
  const wanted = option('backends', 'tensorflow-gpu,tensorflow,wasm,cpu').split(',') as BackendName[];
  const results: BackendResult[] = [];
  const torch = flag('no-torch') ? { available: false, reason: 'skipped by --no-torch' } as TorchResult : benchTorch(STEPS);
  log(`collab-vision bench: reference CNN, batch ${BATCH}, ${STEPS} timed steps, ${new Date().toISOString()}`);
  for (const name of wanted) {
    if (name === 'cpu' && !explicit && !flag('all') && results.length > 0) {
      log(`\n[cpu] skipped: the plain-JS backend takes minutes per training step here (run with --all or --backends cpu)`);
      if (JSON_OUT) console.log(JSON.stringify({ bench: 'train-cnn', backend: 'cpu', skipped: 'slow plain-JS backend; use --all' }));
      continue;
    }
    try {
      await initBackend({ backend: name, verbose: false });
    } catch (e) {
      log(`\n[${name}] not available: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    // The plain-JS cpu backend takes tens of seconds per step here: one warm-up, one timed step, no profile.
    const isCpu = name === 'cpu';
    const { result, profile } = await benchModel(name, isCpu ? 1 : STEPS, isCpu ? 1 : 3, !isCpu);
    result.threads = backendReport()?.threads;
    if (torch.available && torch.imagesPerSec) {
      result.torchImagesPerSec = torch.imagesPerSec;
      result.ratioVsTorch = round(result.imagesPerSec / torch.imagesPerSec, 3);
      if (torch.imagesPerCpuSec) result.cpuTimeRatioVsTorch = round(result.imagesPerCpuSec / torch.imagesPerCpuSec, 3);
    }
    results.push(result);
    if (JSON_OUT) {
      console.log(JSON.stringify(result));
    } else {
      log(`\n[${name}${result.threads ? `, ${result.threads} thread${result.threads > 1 ? 's' : ''}` : ''}] train ${result.imagesPerSec} img/s (${result.stepMs} ms/step; ${result.imagesPerCpuSec} img per CPU-s), forward ${result.forwardImagesPerSec} img/s`);
      log(`  RSS after warm-up ${result.rssMBAfterWarmup} MB, peak ${result.peakRssMB} MB, end ${result.rssMBEnd} MB` +
        ` (growth over the second half of the ${result.steps} steps: ${result.rssGrowthSecondHalfMB} MB); tensors stable: ${result.tensorsStable}; loss ${result.finalLoss}`);
      if (profile.length) log('  per-kernel CPU time of one training step (ms, calls):');
      const total = profile.reduce((s, p) => s + p[1], 0);
      for (const [k, ms, c] of profile.slice(0, 14)) log(`    ${k.padEnd(26)} ${ms.toFixed(2).padStart(8)}  x${c}`);
      if (profile.length) log(`    ${'total'.padEnd(26)} ${total.toFixed(2).padStart(8)}`);
      if (!flag('no-shapes') && name !== 'cpu') {
        log('  layer shapes (CPU ms fwd, CPU ms fwd+bwd, GMAC per CPU-s of fwd+bwd):');
        for (const c of SHAPES) {
          const s = benchShape(c);
          log(`    ${s.name.padEnd(42)} ${String(s.fwdMs).padStart(8)} ${String(s.trainMs).padStart(9)} ${String(s.gmacs).padStart(7)}`);
        }
        log(`  CIFAR ResNet-20 (batch norm, option-A shortcuts), batch 32: ${benchResnet20()} ms CPU per training step`);
      }
      if (torch.available) {
        log(`  vs PyTorch ${torch.torch} CPU (best of threads 1,2): ${torch.imagesPerSec} img/s -> ratio ${result.ratioVsTorch}` +
          ` (per CPU-second: ${result.imagesPerCpuSec} vs ${torch.imagesPerCpuSec} -> ${result.cpuTimeRatioVsTorch})`);
      }
    }
  }
  if (torch.available) {
    const t = { bench: 'train-cnn', backend: 'pytorch-cpu', imagesPerSec: torch.imagesPerSec, forwardImagesPerSec: torch.forwardImagesPerSec,
      imagesPerCpuSec: torch.imagesPerCpuSec, byThreads: torch.byThreads, torch: torch.torch };
    if (JSON_OUT) console.log(JSON.stringify(t));
    else log(`\n[pytorch-cpu] train ${torch.imagesPerSec} img/s, forward ${torch.forwardImagesPerSec} img/s, by threads ${JSON.stringify(torch.byThreads)}, ${torch.imagesPerCpuSec} img per CPU-s`);
  } else {
    const msg = `PyTorch not available (${torch.reason}); no ratio reported. On Debian: apt-get install python3-torch (measurement only).`;
    if (JSON_OUT) console.log(JSON.stringify({ bench: 'train-cnn', backend: 'pytorch-cpu', available: false, reason: msg }));
    else log(`\n${msg}`);
  }
  if (!results.length) throw new Error('no backend could run the bench');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
