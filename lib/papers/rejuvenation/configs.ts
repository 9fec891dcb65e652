// Architectures of chapter 5 (spec 2.10, 7.1) as layer lists. The trainable chain (net.ts) builds
// VGG-style configs; ResNets are given as mask graphs (utilization.ts) with the thesis's rule for
// which convs take part in NR (everything except convs added back to the main stream, projection
// shortcuts and the stem), so r, budgets and parameter counts of the full-size models are computable.
import type { MaskOp } from './utilization';

export type VggCfgItem = number | 'M';

/** VGG-19 for CIFAR (thesis): FC layers removed, GAP + one FC, 2 max-pools after the 4th and 10th conv. */
export const VGG19_CIFAR: VggCfgItem[] = [64, 64, 128, 128, 'M', 256, 256, 256, 256, 512, 512, 'M', 512, 512, 512, 512, 512, 512];
/** VGG-mini (spec 7.1): widths 16,16,M,32,32,M,64,64 + GAP + FC; 72,666 parameters with 10 classes. */
export const VGG_MINI: VggCfgItem[] = [16, 16, 'M', 32, 32, 'M', 64, 64];

/** Mask graph of a VGG chain of 3x3 convs (each + BN + ReLU), 2x2 max-pools, GAP and FC. */
export function vggGraph(cfg: VggCfgItem[], o: { inChannels: number; numClasses: number; gammas?: (i: number, c: number) => ArrayLike<number> | null }): MaskOp[] {
  const ops: MaskOp[] = [];
  let c = o.inChannels, i = 0;
  for (const item of cfg) {
    if (item === 'M') { ops.push({ kind: 'pool', size: 2 }); continue; }
    ops.push({ kind: 'conv', name: `conv${i}`, k: 3, cin: c, cout: item, gamma: o.gammas ? o.gammas(i, item) : new Float32Array(item).fill(0.5) });
    ops.push({ kind: 'identity', name: 'relu' });
    c = item; i++;
  }
  ops.push({ kind: 'gap' }, { kind: 'fc', name: 'classifier', cout: o.numClasses });
  return ops;
}

/** VGG-16 for ImageNet as modified in the thesis: BN, FCs removed, two 1x1 convs to 4096 [derived 1x1], GAP, FC 4096->1000. */
export function vgg16ImagenetGraph(): MaskOp[] {
  const cfg: VggCfgItem[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
  const ops = vggGraph(cfg, { inChannels: 3, numClasses: 1000 }).slice(0, -2);
  ops.push({ kind: 'conv', name: 'fc6conv', k: 1, cin: 512, cout: 4096, gamma: new Float32Array(4096).fill(0.5) });
  ops.push({ kind: 'conv', name: 'fc7conv', k: 1, cin: 4096, cout: 4096, gamma: new Float32Array(4096).fill(0.5) });
  ops.push({ kind: 'gap' }, { kind: 'fc', name: 'classifier', cout: 1000 });
  return ops;
}

/** Simplified VGG-19 of the ImageNet ablation (Table 5-I): ResNet stem (7x7/2 + maxpool 3/2), GAP + FC. */
export function vgg19SimplifiedGraph(): MaskOp[] {
  const g = (c: number) => new Float32Array(c).fill(0.5);
  const ops: MaskOp[] = [{ kind: 'conv', name: 'stem', k: 7, stride: 2, cin: 3, cout: 64, gamma: g(64) }, { kind: 'identity' }];
  ops.push({ kind: 'conv', name: 'conv1', k: 3, cin: 64, cout: 64, gamma: g(64) }, { kind: 'pool', size: 3, stride: 2, padding: 'same' });
  const rest = vggGraph([128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512], { inChannels: 64, numClasses: 1000 });
  return ops.concat(rest);
}

export interface ResNetGraphOptions {
  depth: 18 | 34 | 50 | 101 | 152 | 164;
  numClasses?: number;
  /** Gammas of prunable convs by name (default all 0.5). Fixed convs never take a gamma. */
  gammas?: (name: string, c: number) => ArrayLike<number>;
}

/**
 * ResNet mask graphs. ImageNet depths (torchvision layout, post-activation) and ResNet-164 for CIFAR
 * (bottleneck, 3 stages of 18 blocks, widths 16/32/64 x4). Prunable: first convs of each branch;
 * fixed [thesis + code]: last conv of every branch, projection shortcuts, the stem.
 * Parameter count = conv weights + BN (2 per channel) + FC; post-activation BN placement for both
 * (the thesis switches pre-activation nets to post-activation so every conv is followed by BN).
 */
export function resnetGraph(o: ResNetGraphOptions): MaskOp[] {
  const g = (name: string, c: number) => (o.gammas ? o.gammas(name, c) : new Float32Array(c).fill(0.5));
  const ops: MaskOp[] = [];
  const cifar = o.depth === 164;
  const numClasses = o.numClasses ?? (cifar ? 10 : 1000);
  const bottleneck = o.depth >= 50;
  const blocks: Record<number, number[]> = { 18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3], 164: [18, 18, 18] };
  const planes = cifar ? [16, 32, 64] : [64, 128, 256, 512];
  const exp = bottleneck ? 4 : 1;
  let c: number;
  if (cifar) { ops.push({ kind: 'conv', name: 'stem', k: 3, cin: 3, cout: 16, gamma: null }); c = 16; }
  else { ops.push({ kind: 'conv', name: 'stem', k: 7, stride: 2, cin: 3, cout: 64, gamma: null }, { kind: 'pool', size: 3, stride: 2, padding: 'same' }); c = 64; }
  blocks[o.depth].forEach((n, si) => {
    for (let b = 0; b < n; b++) {
      const p = planes[si], out = p * exp, stride = b === 0 && si > 0 ? 2 : 1, nm = `s${si}b${b}`;
      const branch: MaskOp[] = bottleneck
        ? [
          { kind: 'conv', name: `${nm}/conv1`, k: 1, cin: c, cout: p, gamma: g(`${nm}/conv1`, p) },
          { kind: 'conv', name: `${nm}/conv2`, k: 3, stride, cin: p, cout: p, gamma: g(`${nm}/conv2`, p) },
          { kind: 'conv', name: `${nm}/conv3`, k: 1, cin: p, cout: out, gamma: null },
        ]
        : [
          { kind: 'conv', name: `${nm}/conv1`, k: 3, stride, cin: c, cout: p, gamma: g(`${nm}/conv1`, p) },
          { kind: 'conv', name: `${nm}/conv2`, k: 3, cin: p, cout: out, gamma: null },
        ];
      const shortcut: MaskOp[] = stride !== 1 || c !== out ? [{ kind: 'conv', name: `${nm}/proj`, k: 1, stride, cin: c, cout: out, gamma: null }] : [];
      ops.push({ kind: 'residual', name: nm, branch, shortcut });
      c = out;
    }
  });
  ops.push({ kind: 'gap' }, { kind: 'fc', name: 'classifier', cout: numClasses });
  return ops;
}
