// Data sets for the Lookup-VNet experiments: the offline stand-ins of spec 5.3 (digits16, fmnist14,
// ColorBandShapes) and, for users who have them, CIFAR-10/100 (lib/data readers) and Tiny ImageNet.
// Every set holds raw integer pixels 0..255 (Lookup-VNets take no preprocessing).
import * as path from 'path';
import type { ImageSet } from '../../data/types';
import { loadSklearnDigits, loadFashionMnist } from '../../data/shipped';
import { avgPool2x2, resizeImages } from '../../data/transforms';
import { subset } from '../../data/subset';
import { stratifiedSplit } from '../../data/splits';
import { readCifar10, readCifar100, readLabelNames, concatCifar } from '../../data/readers/cifar';
import { makeRng } from '../../util/random';
import { makeColorBandShapes, type BandPattern } from './synthetic';
import { readTinyImageNet } from './tiny-imagenet';

export type StandInName = 'digits16' | 'fmnist14' | 'colorBands' | 'colorBands28';
export const STAND_INS: StandInName[] = ['digits16', 'fmnist14', 'colorBands', 'colorBands28'];

export interface TaskData {
  name: string;
  train: ImageSet;
  test: ImageSet;
  /** Table channels C (1 for the grey sets: three identical tables would see the same indices, spec 9.12). */
  channels: number;
  size: number;
  numClasses: number;
}

export interface StandInOptions {
  seed: number;
  /** Training images (default: digits16 1400, fmnist14 3000, colorBands 3000). */
  train?: number;
  /** Test images (default: digits16 397, others 1000). */
  test?: number;
  /** ColorBandShapes options. */
  bandWidth?: number;
  pattern?: BandPattern;
  labelBy?: 'shape' | 'quadrant';
}

function take(set: ImageSet, n: number, seed: number): ImageSet {
  if (n >= set.shape[0]) return set;
  return subset(set, makeRng(seed).permutation(set.shape[0]).subarray(0, n));
}

/** Build one stand-in data set (deterministic for a seed). */
export function loadStandIn(name: StandInName, o: StandInOptions): TaskData {
  switch (name) {
    case 'digits16': {
      // sklearn digits rescaled 0..16 -> 0..255 (round(v*255/16)), 2x nearest upsampling to 16x16 (spec 5.3)
      const all = resizeImages(loadSklearnDigits({ rescale255: true }), [16, 16], 'nearest');
      const sp = stratifiedSplit(all.labels, { test: o.test ?? 397, rng: makeRng(o.seed) });
      const train = take(subset(all, sp.train), o.train ?? 1400, o.seed + 1);
      return { name, train, test: subset(all, sp.test), channels: 1, size: 16, numClasses: 10 };
    }
    case 'fmnist14': {
      // 2x2 average pooling, rounded to integers (spec 9.12)
      const train = avgPool2x2(take(loadFashionMnist({ split: 'train' }), o.train ?? 3000, o.seed));
      const test = avgPool2x2(take(loadFashionMnist({ split: 'test' }), o.test ?? 1000, o.seed + 1));
      return { name, train, test, channels: 1, size: 14, numClasses: 10 };
    }
    case 'colorBands':
    case 'colorBands28': {
      const size = name === 'colorBands' ? 16 : 28;
      const common = { size, bandWidth: o.bandWidth ?? 64, pattern: o.pattern ?? 'thueMorse', labelBy: o.labelBy ?? 'shape' } as const;
      const train = makeColorBandShapes({ n: o.train ?? 3000, seed: o.seed * 2 + 1, ...common });
      const test = makeColorBandShapes({ n: o.test ?? 1000, seed: o.seed * 2 + 2, ...common });
      return { name, train, test, channels: 3, size, numClasses: train.classNames.length };
    }
    default:
      throw new Error(`loadStandIn: unknown data set '${name as string}' (${STAND_INS.join(', ')})`);
  }
}

/** CIFAR-10 from the binary version folder (data_batch_1..5.bin, test_batch.bin). */
export function loadCifar10Folder(dir: string): TaskData {
  const tr = concatCifar([1, 2, 3, 4, 5].map((i) => readCifar10(path.join(dir, `data_batch_${i}.bin`))));
  const te = readCifar10(path.join(dir, 'test_batch.bin'));
  let names: string[];
  try { names = readLabelNames(path.join(dir, 'batches.meta.txt')); } catch { names = Array.from({ length: 10 }, (_, i) => String(i)); }
  const mk = (b: typeof tr, s: string): ImageSet => ({ images: b.images, labels: b.labels, shape: [b.n, 32, 32, 3], classNames: names, maxValue: 255, source: s });
  return { name: 'CIFAR-10', train: mk(tr, `${dir} train`), test: mk(te, `${dir} test`), channels: 3, size: 32, numClasses: 10 };
}

/** CIFAR-100 (fine labels) from the binary version folder (train.bin, test.bin). */
export function loadCifar100Folder(dir: string): TaskData {
  const tr = readCifar100(path.join(dir, 'train.bin'));
  const te = readCifar100(path.join(dir, 'test.bin'));
  let names: string[];
  try { names = readLabelNames(path.join(dir, 'fine_label_names.txt')); } catch { names = Array.from({ length: 100 }, (_, i) => String(i)); }
  const mk = (b: typeof tr, s: string): ImageSet => ({ images: b.images, labels: b.labels, shape: [b.n, 32, 32, 3], classNames: names, maxValue: 255, source: s });
  return { name: 'CIFAR-100', train: mk(tr, `${dir} train`), test: mk(te, `${dir} test`), channels: 3, size: 32, numClasses: 100 };
}

/** Tiny ImageNet (tiny-imagenet-200/): the labelled val split serves as the test set (spec 5.1). */
export function loadTinyImageNetFolder(root: string, o: { perClass?: number; classes?: number } = {}): TaskData {
  const train = readTinyImageNet(root, { split: 'train', limit: o.perClass, classes: o.classes });
  const test = readTinyImageNet(root, { split: 'val', classes: o.classes });
  return { name: 'TinyImageNet', train, test, channels: 3, size: 64, numClasses: train.classNames.length };
}
