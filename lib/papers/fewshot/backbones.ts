// Feature extractors a(x) for the paper: the activation is the global-average-pool output of the last
// ReLU conv (non-negative), n = featureDim.
//   convS      : the small CPU backbone of the spec's plan (7.1 step 1): conv3x3(16)-BN-ReLU-pool,
//                conv3x3(32)-BN-ReLU-pool, conv3x3(64)-BN-ReLU, GAP (n = 64), Dense(C).
//   simpleConv4: "Ours-Simple" (thesis 2.4.2), the Matching-Networks conv-4 of the authors' code:
//                4 x [conv3x3 64, BN, ReLU], 2x2 max-pool after the first three, GAP (n = 64).
//   wrn28x10Mini: "Ours-WRN", WRN-28-10 at 80x80 with three stride-2 stages (n = 640).
//   resnet50 (lib/nn) with numClasses = |C_large| is the full-ImageNet backbone (n = 2048); train it
//   elsewhere and bring its activations as .npy (readers.ts).
import type { Rng } from '../../util/random';
import type { Layer } from '../../nn/types';
import { convBnAct } from '../../nn/blocks';
import { dense, globalAvgPool, maxPool } from '../../nn/layers';
import { makeBackbone, type Backbone } from '../../nn/backbone';
import { wideResNet } from '../../nn/backbones';

export interface FewShotBackboneOptions {
  numClasses: number;
  inChannels?: number;
  inputSize?: number | null;
}

function build(name: string, widths: number[], poolAfter: boolean[], rng: Rng, o: FewShotBackboneOptions): Backbone {
  if (!Number.isInteger(o.numClasses) || o.numClasses < 0) throw new Error(`${name}: numClasses must be a non-negative integer, got ${o.numClasses}`);
  const body: Layer[] = [];
  let cin = o.inChannels ?? 1;
  let red = 1;
  const features: { name: string; channels: number; reduction: number }[] = [];
  widths.forEach((w, i) => {
    // He-normal fan-out convs (lib/nn default, = fb.resnet.torch init of the authors' code), BN gamma 1.
    body.push(convBnAct({ name: `unit${i + 1}`, inChannels: cin, filters: w }, rng));
    cin = w;
    if (poolAfter[i]) { red *= 2; body.push(maxPool({ size: 2, name: `pool${i + 1}` })); }
  });
  features.push({ name: body[body.length - 1].name, channels: cin, reduction: red });
  const head: Layer[] = o.numClasses > 0 ? [globalAvgPool('gap'), dense({ name: 'fc', inFeatures: cin, units: o.numClasses }, rng)] : [];
  const s = o.inputSize === undefined ? null : o.inputSize;
  return makeBackbone(name, body, head, { inputShape: [s, s, o.inChannels ?? 1], featureDim: cin, features });
}

/** The spec's small backbone for 28x28 Fashion-MNIST / glyphs (n = 64). */
export function convS(rng: Rng, o: FewShotBackboneOptions): Backbone {
  return build('convS', [16, 32, 64], [true, true, false], rng, o);
}

/** "Ours-Simple": conv-4 with 64 filters (n = 64). 118,032 parameters at 3 input channels, 80 classes. */
export function simpleConv4(rng: Rng, o: FewShotBackboneOptions): Backbone {
  return build('simpleConv4', [64, 64, 64, 64], [true, true, true, false], rng, o);
}

/**
 * "Ours-WRN" backbone (thesis §2.4.2, spec §4.2): WRN-28-10 at 80x80 with 3 downsamplings instead of
 * CIFAR's 2: pre-activation basic blocks, 4 per stage, widths 160/320/640, EVERY stage stride 2
 * (80 -> 40 -> 20 -> 10), GAP 10x10 -> n = 640, Linear(640, 80). Stem: conv3x3 to 80 channels as the
 * spec reads the authors' code [code]; `stemWidth: 16` gives the plain WRN-28-10 stem. Counts (tests):
 * 36,628,320 parameters (stem 80, 80 classes), 36,524,064 (stem 16). Constructible here, not trained
 * (users bring its activations as .npy, readers.ts).
 */
export function wrn28x10Mini(rng: Rng, o: Partial<FewShotBackboneOptions> & { stemWidth?: number; dropRate?: number } = {}): Backbone {
  return wideResNet(rng, 28, 10, {
    strides: [2, 2, 2], stemWidth: o.stemWidth ?? 80, inChannels: o.inChannels ?? 3, numClasses: o.numClasses ?? 80,
    inputSize: o.inputSize === undefined ? 80 : o.inputSize, dropRate: o.dropRate, name: 'wrn28_10_mini',
  });
}
