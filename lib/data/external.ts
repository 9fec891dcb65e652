// ImageSet loaders for the datasets a user downloads (not shipped here): point them at the
// folder holding the official files. Each names the missing file when one is absent.
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../util/random';
import { readCifar10, readCifar100, concatCifar, readLabelNames } from './readers/cifar';
import { readSvhnMat } from './readers/svhn';
import { readStl10, STL10_CLASSES } from './readers/stl10';
import { loadIdxPair, DIGIT_CLASSES } from './shipped';
import { labelledSubset } from './samplers';
import { readNpz, readTar } from './readers/archive';
import { ImageSet } from './types';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function need(dir: string, name: string, fn: string): string {
  const p = path.join(dir, name);
  if (!fs.existsSync(p)) throw new Error(`${fn}: ${p} is missing (expected the official file '${name}' in ${dir})`);
  return p;
}

function firstExisting(dir: string, names: string[], fn: string): string {
  for (const n of names) if (fs.existsSync(path.join(dir, n))) return path.join(dir, n);
  throw new Error(`${fn}: none of ${names.join(', ')} found in ${dir}`);
}

type TrainTest = 'train' | 'test';
function checkSplit<T extends string>(fn: string, split: unknown, allowed: T[]): T {
  if (!allowed.includes(split as T)) throw new Error(`${fn}: unknown split ${JSON.stringify(split)}; use ${allowed.map((a) => `'${a}'`).join(' or ')}`);
  return split as T;
}

/** MNIST or Fashion-MNIST from a folder with the standard IDX names (gzipped or not). */
export function loadMnistDir(dir: string, opts: { split?: TrainTest; classNames?: string[] } = {}): ImageSet {
  const split = checkSplit('loadMnistDir', opts.split ?? 'train', ['train', 'test']);
  const p = split === 'train' ? 'train' : 't10k';
  const img = firstExisting(dir, [`${p}-images-idx3-ubyte.gz`, `${p}-images-idx3-ubyte`, `${p}-images.idx3-ubyte`], 'loadMnistDir');
  const lab = firstExisting(dir, [`${p}-labels-idx1-ubyte.gz`, `${p}-labels-idx1-ubyte`, `${p}-labels.idx1-ubyte`], 'loadMnistDir');
  return loadIdxPair(img, lab, opts.classNames ?? DIGIT_CLASSES);
}

/** CIFAR-10 binary version (`cifar-10-batches-bin/`): 50000 train (5 batches) / 10000 test. */
export function loadCifar10(dir: string, opts: { split?: TrainTest } = {}): ImageSet {
  const split = checkSplit('loadCifar10', opts.split ?? 'train', ['train', 'test']);
  const files = split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
  const b = concatCifar(files.map((f) => readCifar10(need(dir, f, 'loadCifar10'))));
  const meta = path.join(dir, 'batches.meta.txt');
  const classNames = fs.existsSync(meta) ? readLabelNames(meta) : CIFAR10_CLASSES;
  return { images: b.images, shape: [b.n, 32, 32, 3], labels: b.labels, classNames, maxValue: 255, source: `cifar10/${split}` };
}

/** CIFAR-100 binary version (`cifar-100-binary/`); labels are fine (default) or coarse. */
export function loadCifar100(dir: string, opts: { split?: TrainTest; labels?: 'fine' | 'coarse' } = {}): ImageSet & { coarseLabels: Int32Array } {
  const split = checkSplit('loadCifar100', opts.split ?? 'train', ['train', 'test']);
  const b = readCifar100(need(dir, `${split}.bin`, 'loadCifar100'));
  const kind = opts.labels ?? 'fine';
  const namesFile = path.join(dir, `${kind}_label_names.txt`);
  const classNames = fs.existsSync(namesFile) ? readLabelNames(namesFile) : Array.from({ length: kind === 'fine' ? 100 : 20 }, (_, i) => String(i));
  return {
    images: b.images, shape: [b.n, 32, 32, 3], labels: kind === 'fine' ? b.labels : b.coarseLabels!, coarseLabels: b.coarseLabels!,
    classNames, maxValue: 255, source: `cifar100/${split}`,
  };
}

/** SVHN format 2 (`train_32x32.mat`, `test_32x32.mat`, `extra_32x32.mat`); label 10 -> 0. */
export function loadSvhn(dir: string, opts: { split?: 'train' | 'test' | 'extra' } = {}): ImageSet {
  const split = checkSplit('loadSvhn', opts.split ?? 'train', ['train', 'test', 'extra']);
  const s = readSvhnMat(need(dir, `${split}_32x32.mat`, 'loadSvhn'));
  return { images: s.images, shape: [s.n, 32, 32, 3], labels: s.labels, classNames: DIGIT_CLASSES, maxValue: 255, source: `svhn/${split}` };
}

/**
 * The SVHN validation split of Goodfellow et al. that DCL uses (spec dcl 5.2): 400 per class
 * from train + 200 per class from extra (6000 images); the remaining 598,388 train.
 */
export function svhnValidationSplit(trainLabels: ArrayLike<number>, extraLabels: ArrayLike<number>, rng: Rng, perClass: { train: number; extra: number } = { train: 400, extra: 200 }) {
  const t = labelledSubset(trainLabels, { perClass: perClass.train, rng, numClasses: 10 });
  const e = labelledSubset(extraLabels, { perClass: perClass.extra, rng, numClasses: 10 });
  return { trainVal: t.labelled, trainRest: t.unlabelled, extraVal: e.labelled, extraRest: e.unlabelled };
}

/** STL-10 binary (`stl10_binary/`): 5000 train / 8000 test, 96x96x3; labels 1..10 -> 0..9. */
export function loadStl10(dir: string, opts: { split?: TrainTest } = {}): ImageSet {
  const split = checkSplit('loadStl10', opts.split ?? 'train', ['train', 'test']);
  const s = readStl10(need(dir, `${split}_X.bin`, 'loadStl10'), need(dir, `${split}_y.bin`, 'loadStl10'));
  const names = path.join(dir, 'class_names.txt');
  const classNames = fs.existsSync(names) ? readLabelNames(names) : STL10_CLASSES;
  return { images: s.images, shape: [s.n, 96, 96, 3], labels: s.labels, classNames, maxValue: 255, source: `stl10/${split}` };
}

/**
 * One ImageNet32 npz batch (`train_data_batch_k.npz`, `val_data.npz`; Chrabaszcz et al. 2017):
 * `data` uint8 [N, 3072] in planar R, G, B order (32x32 each), `labels` 1..1000 (we subtract 1).
 */
export function loadImagenet32Npz(path: string): ImageSet {
  const z = readNpz(path);
  const d = z.data, l = z.labels;
  if (!d || !l) throw new Error(`loadImagenet32Npz: ${path} lacks 'data' or 'labels' (has: ${Object.keys(z).join(', ')})`);
  if (d.shape.length !== 2 || d.shape[1] !== 3072 || !(d.data instanceof Uint8Array)) {
    throw new Error(`loadImagenet32Npz: ${path}: data is ${d.dtype} (${d.shape}), expected uint8 (N, 3072)`);
  }
  const n = d.shape[0];
  if (l.data.length !== n) throw new Error(`loadImagenet32Npz: ${path}: ${l.data.length} labels for ${n} images`);
  const images = new Uint8Array(n * 3072);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < 3; ch++) for (let k = 0; k < 1024; k++) images[i * 3072 + k * 3 + ch] = d.data[i * 3072 + ch * 1024 + k];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(l.data[i]);
    if (!(v >= 1 && v <= 1000)) throw new Error(`loadImagenet32Npz: ${path}: label ${i} is ${v}, expected 1..1000`);
    labels[i] = v - 1;
  }
  return { images, shape: [n, 32, 32, 3], labels, classNames: Array.from({ length: 1000 }, (_, i) => String(i)), maxValue: 255, source: path };
}

/** Extract the members of a .tar(.gz) download whose names match into a folder (e.g. cifar-10-binary.tar.gz). */
export function extractTar(tarPath: string, outDir: string, filter: (name: string) => boolean = () => true): string[] {
  const written: string[] = [];
  for (const [name, body] of readTar(tarPath)) {
    if (!filter(name)) continue;
    const dest = path.join(outDir, name);
    if (!path.resolve(dest).startsWith(path.resolve(outDir) + path.sep)) throw new Error(`extractTar: ${tarPath} member '${name}' escapes ${outDir}`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, body);
    written.push(dest);
  }
  return written;
}
