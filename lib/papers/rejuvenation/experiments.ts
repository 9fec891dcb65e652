// Experiment runners for chapter 5 (spec section 7). Seeded; each returns
// {config, backend, seed(s), wallTimeMs, ...}. The notebook and the tests call the same functions.
// Small-scale stand-in: scikit-learn 8x8 digits (over-parameterized regime, the CIFAR analogue where
// "S does not need R"), VGG-mini, momentum SGD. Every compared run gets the same number of optimizer
// steps (the NR pre-phase is inside the budget).
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../../util/random';
import { budget } from '../../util/quick';
import { loadSklearnDigits } from '../../data/shipped';
import { stratifiedSplit } from '../../data/splits';
import { computeNormalization } from '../../data/normalize';
import { countParams } from '../../nn/tree';
import { adaptiveLambda } from './lambda';
import { chooseAlpha } from './realloc';
import { inspectUtilization, bruteForceLive, countGraphParams } from './utilization';
import { VGG19_CIFAR, VGG_MINI, resnetGraph, vgg16ImagenetGraph, vgg19SimplifiedGraph, vggGraph } from './configs';
import { buildNRNet, netWidths, type NRNet } from './net';
import { PAPER_PARAMS } from './paper-numbers';
import {
  cloneRunState, finalPhase, monitorAndRejuvenate, newRunState, summarizeRun,
  type DataSpec, type NRVariant, type RunState, type RunSummary, type TrainConfig,
} from './trainer';
import { pruneDead, inspectNet } from './surgery';
import { slimmingInspection } from './slimming';

const meta = (t0: number) => ({ backend: tf.getBackend(), wallTimeMs: Date.now() - t0 });

// ---- data and defaults ------------------------------------------------------------------------------

/** sklearn digits, fixed stratified split 1,437 / 360 (split seed 0), standardised, shifts (pad 1). */
export function digitsData(): DataSpec {
  const set = loadSklearnDigits();
  const split = stratifiedSplit(set.labels, { test: 360, rng: makeRng(0) });
  return { train: set, test: set, trainIdx: split.train, testIdx: split.test, normalization: computeNormalization(set, split.train), augment: { pad: 1 } };
}

/**
 * Small-scale hyperparameters (spec 7.2) for digits: batch 64 (22 iterations per epoch = Delta_t),
 * lr 0.1, momentum 0.9, wd 1e-4. Delta_lambda rescaled for a 22-iteration Delta_t: each increment
 * moves a gamma by ~ Delta_t * lr * Delta_lambda / (1 - momentum) = 0.066 per check (thesis range
 * 0.04-0.25), so r reaches T_r in ~10 checks. Delta_r = 0.01 (thesis).
 */
export function digitsConfig(o: Partial<TrainConfig> = {}): TrainConfig {
  return {
    steps: budget(330, 99), batchSize: 64, lr: 0.1, momentum: 0.9, weightDecay: 1e-4, checkEvery: 22,
    lambda: { deltaR: 0.01, deltaLambda: budget(3e-3, 1e-2), Tr: 0.5, max: LAMBDA_MAX }, preCap: budget(264, 66), resource: 'params', evalEvery: 44, ...o,
  };
}

/**
 * Cap on the adaptive lambda for the digits runs (D) [derived, measured]. With the rescaled Delta_lambda
 * the uncapped rule kept raising lambda while r stalled: in a T_r = 0.25 pre-phase (seed 0, Delta_lambda
 * 6e-3) lambda grew to 0.06, r stuck at 0.40-0.48 for 250 iterations and eval accuracy fell to 27%, because
 * the subgradient jitter of a penalised gamma (~ lr * lambda / (1 - m)) exceeded the dead threshold
 * 0.01 * max|gamma| (max|gamma| stays ~ gamma_0 = 0.5). Capped at 0.005 / 0.01 / 0.015 / 0.02, r fell
 * steadily to 0.40 / 0.28 / 0.21 / 0.21 within 440 iterations; 0.015 is the smallest cap that reached
 * T_r = 0.25 there.
 */
export const LAMBDA_MAX = 0.015;

export function vggMini(seed: number, o: { widthMult?: number } = {}): NRNet {
  const m = o.widthMult ?? 1;
  return buildNRNet({ cfg: VGG_MINI.map((c) => (c === 'M' ? c : Math.round(c * m))), inChannels: 1, inputHW: [8, 8], numClasses: 10, gamma0: 0.5, name: 'vggmini' }, makeRng(seed));
}

/**
 * Bound on the neural-rescaling factor s for the 'NR-CA-BR s<=10' variant (D) [measured]. The thesis rescales
 * every survivor to |gamma| >= gamma_0 with no bound. At NR on digits, survivors just above the dead threshold
 * got s up to 186 / 148 (seeds 0 / 1; 25 / 38 neurons with s > 10). The map is preserved exactly, but the
 * weights reading those channels become s times smaller with s times larger gradients, so their relative SGD
 * step grows by s^2. With the lr restarted at 0.1, seed 1's train loss over the first 22 steps after NR was
 * 40 (2.4 for every other variant; a 2-step probe peaked at 95; NR-BR without cross attention blew up alike).
 * Final errors (notebook 07, full mode): NR-CA 0.56 / 1.11 %, NR-CA-BR 2.78 / 9.72 %, s <= 10 1.11 / 1.94 %.
 */
export const RESCALE_CAP = 10;

/** Variant names of Table 5-I and what they mean here. */
export const VARIANTS: Record<string, NRVariant> = {
  'NR-CR': { mode: 'cr' },
  'NR': { mode: 'full' },
  'NR-BR': { mode: 'full', rescale: true },
  'NR-CA': { mode: 'ca' },
  'NR-CA-BR': { mode: 'ca', rescale: true },
  'NR-CR-BR': { mode: 'cr', rescale: true },
  'NR-CA-BR s<=10': { mode: 'ca', rescale: true, maxRescale: RESCALE_CAP }, // (D) bounded rescaling, see RESCALE_CAP
};

function variantOf(name: string): NRVariant {
  const v = VARIANTS[name];
  if (!v) throw new Error(`unknown NR variant '${name}' (known: ${Object.keys(VARIANTS).join(', ')})`);
  return v;
}

const lean = (s: RunSummary): RunSummary => s;

// ---- Part 0: mechanics on hand-made examples (spec section 8 values) ---------------------------------

export function runMechanics() {
  const t0 = Date.now();
  const chain = [
    { kind: 'conv' as const, name: 'conv1', k: 3, cin: 3, cout: 4, gamma: [1, 1, 1, 0] },
    { kind: 'conv' as const, name: 'conv2', k: 3, cin: 4, cout: 6, gamma: [1, 1, 1, 1, 0, 0], stride: 2 },
    { kind: 'conv' as const, name: 'conv3', k: 1, cin: 6, cout: 5, gamma: [1, 1, 1, 1, 1] },
  ];
  const params = inspectUtilization(chain, { channels: 3, hw: [8, 8] }, { resource: 'params' });
  const flops = inspectUtilization(chain, { channels: 3, hw: [8, 8] }, { resource: 'flops' });
  const brute = bruteForceLive(params.layers.map((l, i) => ({ k: chain[i].k, maskIn: l.maskIn, maskOut: l.maskOut })));
  const ctl = adaptiveLambda({ deltaR: 0.01, deltaLambda: 5e-5, Tr: 0.5 });
  const lambdaTrace = [1.0, 0.995, 0.98, 0.965, 0.95, 0.70, 0.695, 0.45].map((r, i) => ({ check: i + 1, ...ctl.check(r) }));
  const geom = [8, 16, 16].map(() => ({ k: 3, hw: [1, 1] as [number, number] }));
  const realloc = chooseAlpha([6, 8, 8], geom, 3672, 3672, { inChannels: 3 });
  const miniGeom = Array.from({ length: 6 }, () => ({ k: 3, hw: [1, 1] as [number, number] }));
  const miniMaintain = chooseAlpha([10, 9, 20, 15, 30, 25], miniGeom, 71568, 71568, { inChannels: 1 });
  const miniHalf = chooseAlpha([10, 9, 20, 15, 30, 25], miniGeom, 35784, 71568, { inChannels: 1 });
  return {
    config: { example: 'spec 8.2 / 8.5 / 8.6 / 8.7' }, seed: 0, ...meta(t0),
    utilization: { params: { U: params.live, c: params.total, r: params.r }, flops: { U: flops.live, c: flops.total, r: flops.r }, bruteForceU: brute },
    lambdaTrace, realloc, miniMaintain, miniHalf,
  };
}

// ---- parameter counts of the thesis's models ----------------------------------------------------------

export function runCounts(o: { construct?: boolean; seed?: number } = {}) {
  const t0 = Date.now();
  const seed = o.seed ?? 0;
  const rows: { model: string; reported: number | null; counted: number; constructed: number | null; convParams: number }[] = [];
  const conv = (ops: ReturnType<typeof vggGraph>, c: number, hw: [number, number]) => inspectUtilization(ops, { channels: c, hw }).total;
  const add = (model: string, reported: number | null, ops: ReturnType<typeof vggGraph>, constructed: number | null = null, hw: [number, number] = [32, 32]) =>
    rows.push({ model, reported, counted: countGraphParams(ops, 3), constructed, convParams: conv(ops, 3, hw) });
  let c10: number | null = null, c100: number | null = null;
  if (o.construct) {
    for (const nc of [10, 100]) {
      const net = buildNRNet({ cfg: VGG19_CIFAR, inChannels: 3, inputHW: [32, 32], numClasses: nc }, makeRng(seed));
      if (nc === 10) c10 = countParams(net); else c100 = countParams(net);
      net.dispose();
    }
  }
  add('VGG-19 (CIFAR-10)', PAPER_PARAMS.vgg19Cifar10.reported, vggGraph(VGG19_CIFAR, { inChannels: 3, numClasses: 10 }), c10);
  add('VGG-19 (CIFAR-100)', PAPER_PARAMS.vgg19Cifar100.reported, vggGraph(VGG19_CIFAR, { inChannels: 3, numClasses: 100 }), c100);
  add('ResNet-164 (CIFAR-10)', PAPER_PARAMS.resnet164Cifar10.reported, resnetGraph({ depth: 164, numClasses: 10 }));
  add('ResNet-164 (CIFAR-100)', PAPER_PARAMS.resnet164Cifar100.reported, resnetGraph({ depth: 164, numClasses: 100 }));
  add('Simplified VGG-19 (ImageNet 128)', PAPER_PARAMS.vgg19Simplified.reported, vgg19SimplifiedGraph(), null, [128, 128]);
  add('VGG-16 (ImageNet, thesis variant)', PAPER_PARAMS.vgg16Imagenet.reported, vgg16ImagenetGraph(), null, [224, 224]);
  for (const d of [18, 34, 50, 101] as const) add(`ResNet-${d}`, (PAPER_PARAMS as Record<string, { reported?: number }>)[`resnet${d}`].reported ?? null, resnetGraph({ depth: d }), null, [224, 224]);
  const mini = vggMini(seed);
  rows.push({ model: 'VGG-mini (digits, trained here)', reported: null, counted: countGraphParams(vggGraph(VGG_MINI, { inChannels: 1, numClasses: 10 }), 1), constructed: countParams(mini), convParams: inspectNet(mini).total });
  mini.dispose();
  return { config: { construct: !!o.construct }, seed, ...meta(t0), rows };
}

// ---- Part A: NR variants vs the baseline at equal budget ----------------------------------------------

export interface ComparisonOptions {
  seeds?: number[];
  variants?: string[];
  config?: Partial<TrainConfig>;
  /** Also run the baseline (lambda = 0, r logged). Default true. */
  baseline?: boolean;
}

/**
 * Per seed: BL over `steps`; one shared pre-phase (adaptive lambda until r < T_r, snapshot), then every
 * variant branches from the snapshot and trains the remaining steps with a restarted schedule.
 */
export async function runComparison(o: ComparisonOptions = {}) {
  const t0 = Date.now();
  const seeds = o.seeds ?? [0, 1];
  const variants = o.variants ?? ['NR-CR', 'NR', 'NR-CA-BR'];
  variants.forEach(variantOf);
  const cfg = digitsConfig(o.config);
  const data = digitsData();
  const runs: RunSummary[] = [];
  for (const seed of seeds) {
    if (o.baseline ?? true) {
      const bl = newRunState(vggMini(seed), cfg, seed, 'BL');
      await finalPhase(bl, data, cfg, cfg.steps);
      runs.push(lean(summarizeRun(bl, data)));
      bl.net.dispose();
    }
    // shared pre-phase: monitor until the first trigger, rejuvenating a throw-away branch
    const pre = newRunState(vggMini(seed), cfg, seed, 'pre');
    const snapshot = await preTrainToTrigger(pre, data, cfg);
    for (const name of variants) {
      const s = cloneRunState(snapshot, name);
      await rejuvenateFromSnapshot(s, data, cfg, variantOf(name));
      await finalPhase(s, data, cfg, cfg.steps - s.step);
      runs.push(lean(summarizeRun(s, data)));
      s.net.dispose();
    }
    snapshot.net.dispose();
  }
  return { config: { ...cfg, seeds, variants, dataset: 'sklearn-digits 8x8 (1437/360)', model: 'VGG-mini' }, seeds, ...meta(t0), runs };
}

/**
 * Run the monitoring phase until the trigger and return a snapshot of the state JUST BEFORE the
 * surgery (taken by monitorAndRejuvenate's `beforeSurgery` hook), so several variants can branch from
 * the same pre-phase; the throw-away surgery of this call is discarded.
 */
async function preTrainToTrigger(s: RunState, data: DataSpec, cfg: TrainConfig): Promise<RunState> {
  let snap: RunState | null = null;
  await monitorAndRejuvenate(s, data, cfg, { mode: 'full' }, { beforeSurgery: (st) => { snap = cloneRunState(st, 'snapshot'); } });
  s.net.dispose();
  if (!snap) throw new Error('preTrainToTrigger: no snapshot taken');
  return snap;
}

/** The surgery step alone (state already at the trigger). */
async function rejuvenateFromSnapshot(s: RunState, data: DataSpec, cfg: TrainConfig, v: NRVariant): Promise<void> {
  await monitorAndRejuvenate(s, data, { ...cfg, preCap: 0 }, v, { measurePruned: true });
}

// ---- accuracy vs number of NR rounds (Table 5-V analogue) ---------------------------------------------

export async function runRounds(o: { seed?: number; maxRounds?: number; variant?: string; config?: Partial<TrainConfig> } = {}) {
  const t0 = Date.now();
  const seed = o.seed ?? 0, maxRounds = o.maxRounds ?? 3, vname = o.variant ?? 'NR-CR';
  const v = variantOf(vname);
  if (v.mode === 'ca' && maxRounds > 1) throw new Error('runRounds: cross attention supports one NR round only (spec 2.8)');
  // faster monitoring so several rounds fit in one budget: Delta_r 0.02 (spec 7.2 allows it), Delta_lambda 6e-3
  const cfg = digitsConfig({ ...o.config, lambda: { deltaR: 0.02, deltaLambda: budget(6e-3, 1e-2), Tr: 0.5, max: LAMBDA_MAX, ...(o.config?.lambda ?? {}) } });
  const data = digitsData();
  const runs: (RunSummary & { rounds: number })[] = [];
  let s = newRunState(vggMini(seed), cfg, seed, `${vname} x0`);
  // every branch keeps at least a quarter of the budget for its final (restarted) schedule
  const minFinal = Math.ceil(0.25 * cfg.steps);
  for (let k = 1; k <= maxRounds; k++) {
    const room = Math.floor((cfg.steps - s.step - minFinal) / cfg.checkEvery) * cfg.checkEvery;
    if (room < cfg.checkEvery) break;
    await monitorAndRejuvenate(s, data, { ...cfg, preCap: Math.min(cfg.preCap, room) }, v);
    const branch = cloneRunState(s, `${vname} x${k}`);
    await finalPhase(branch, data, cfg, cfg.steps - branch.step);
    runs.push({ ...summarizeRun(branch, data), rounds: k });
    branch.net.dispose();
  }
  s.net.dispose();
  return { config: { ...cfg, variant: vname, maxRounds }, seed, ...meta(t0), runs };
}

// ---- compression mode (Table 5-IV analogue) ------------------------------------------------------------

export interface CompressionRun {
  seed: number;
  /** r when the pre-phase stopped, and whether T_r was reached (else: cap, fallback below). */
  rAtStop: number;
  reachedTr: boolean;
  /** Live neurons the fallback removed by global |gamma| ranking to reach T_r * C (0 if T_r was reached). */
  extraDropped: number;
  preSteps: number;
  runs: RunSummary[];
}

/**
 * Compression mode (thesis Table 5-IV: T_r = 0.25, rejuvenate to 0.5 C, NR-CR). One pre-phase per seed
 * (adaptive, capped lambda until r < T_r, at most preCap iterations), then three branches from its
 * snapshot, each fine-tuned for the same remaining steps (lr schedule restarted):
 *   'NR-CR 0.5C'        dead neurons removed (U ~ T_r C), all layers widened by one alpha to 0.5 C
 *   'slimming 0.5C'     Network-Slimming-style: global |gamma| ranking down to 0.5 C, no new neurons
 *                       (the thesis's baseline at the same parameter count)
 *   'prune dead'        only the dead neurons removed (cost U ~ T_r C when T_r was reached)
 * Fallback (D): if the pre-phase hits its cap with r > T_r, more neurons are removed by the same global
 * |gamma| ranking until the survivors cost T_r * C, so NR still rejuvenates from T_r C to 0.5 C (without
 * it, r ~ 0.48 at the cap left no room between U and 0.5 C and NR degenerated to pruning). Reported
 * per seed (`reachedTr`, `extraDropped`).
 */
export async function runCompression(o: { seeds?: number[]; seed?: number; config?: Partial<TrainConfig> } = {}) {
  const t0 = Date.now();
  const seeds = o.seeds ?? [o.seed ?? 0];
  const preCap = o.config?.preCap ?? budget(462, 88);
  const cfg = digitsConfig({
    steps: preCap + budget(176, 66), preCap, ...o.config,
    lambda: { deltaR: 0.02, deltaLambda: budget(5e-3, 1e-2), Tr: 0.25, max: LAMBDA_MAX, ...(o.config?.lambda ?? {}) },
  });
  const Tr = cfg.lambda.Tr ?? 0.25, fraction = 0.5;
  if (!(Tr < fraction)) throw new Error(`runCompression: T_r (${Tr}) must be below the target fraction ${fraction}`);
  const data = digitsData();
  const out: CompressionRun[] = [];
  let C0 = 0;
  for (const seed of seeds) {
    const pre = newRunState(vggMini(seed), cfg, seed, 'pre');
    const snap = await preTrainToTrigger(pre, data, cfg);
    C0 = snap.C0;
    const runs: RunSummary[] = [];
    // NR-CR to 0.5 C (with the fallback if T_r was not reached)
    const nr = cloneRunState(snap, 'NR-CR 0.5C');
    const ev = await monitorAndRejuvenate(nr, data, { ...cfg, preCap: 0 }, { mode: 'cr', targetFraction: fraction }, {
      measurePruned: true,
      inspection: (st, natural, triggered) => (!triggered && natural.live > Tr * st.C0
        ? slimmingInspection(st.net, Tr * st.C0, { resource: cfg.resource, fromDead: true })
        : { inspection: natural, extraDropped: 0 }),
    });
    await finalPhase(nr, data, cfg, cfg.steps - nr.step);
    runs.push(summarizeRun(nr, data));
    nr.net.dispose();
    // slimming to the same cost, and dead-only pruning
    for (const [label, target] of [['slimming 0.5C', fraction * snap.C0], ['prune dead', null]] as const) {
      const b = cloneRunState(snap, label);
      const insp = target === null ? inspectNet(b.net, { resource: cfg.resource }) : slimmingInspection(b.net, target, { resource: cfg.resource }).inspection;
      b.net = pruneDead(b.net, insp, { rng: makeRng(seed + 5) }).net;
      await finalPhase(b, data, cfg, cfg.steps - b.step);
      runs.push(summarizeRun(b, data));
      b.net.dispose();
    }
    out.push({ seed, rAtStop: ev.r, reachedTr: !ev.forced, extraDropped: ev.extraDropped, preSteps: snap.step, runs });
    snap.net.dispose();
  }
  return { config: { ...cfg, target: `${fraction} C`, Tr, seeds }, seeds, ...meta(t0), C0, perSeed: out, runs: out.flatMap((p) => p.runs) };
}

export { netWidths };
