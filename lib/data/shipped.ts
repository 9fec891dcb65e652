// The datasets shipped in data/ (see data/README.md for sources and licences).
import { readIdxImages, readIdxLabels } from './readers/idx';
import { readDigitsCsv } from './readers/digits-csv';
import { dataFile } from './paths';
import { ImageSet } from './types';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];
export const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Build an ImageSet from an IDX image/label pair (any MNIST-family files). */
export function loadIdxPair(imagesPath: string, labelsPath: string, classNames: string[]): ImageSet {
  const { images, n, rows, cols } = readIdxImages(imagesPath);
  const labels = readIdxLabels(labelsPath);
  if (labels.length !== n) throw new Error(`loadIdxPair: ${imagesPath} has ${n} images but ${labelsPath} has ${labels.length} labels`);
  for (let i = 0; i < n; i++) {
    if (labels[i] >= classNames.length) throw new Error(`loadIdxPair: ${labelsPath} label ${i} is ${labels[i]}, but there are ${classNames.length} classes`);
  }
  return { images, shape: [n, rows, cols, 1], labels, classNames, maxValue: 255, source: imagesPath };
}

const cache = new Map<string, ImageSet>();
function cached(key: string, make: () => ImageSet): ImageSet {
  let s = cache.get(key);
  if (!s) { s = make(); cache.set(key, s); }
  return s;
}

export type Split = 'train' | 'test';
function checkSplit(fn: string, split: unknown): Split {
  if (split !== 'train' && split !== 'test') throw new Error(`${fn}: unknown split ${JSON.stringify(split)}; use 'train' or 'test'`);
  return split;
}

/**
 * Fashion-MNIST (Xiao et al. 2017): 60000 train / 10000 test, 28x28x1. The arrays are cached
 * and shared between calls: treat them as read-only (use `subset` for a private copy).
 */
export function loadFashionMnist(opts: { split?: Split } = {}): ImageSet {
  const split = checkSplit('loadFashionMnist', opts.split ?? 'train');
  const p = split === 'train' ? 'train' : 't10k';
  return cached(`fmnist-${split}`, () => ({
    ...loadIdxPair(dataFile('fashion-mnist', `${p}-images-idx3-ubyte.gz`), dataFile('fashion-mnist', `${p}-labels-idx1-ubyte.gz`), FASHION_MNIST_CLASSES),
    source: `fashion-mnist/${split}`,
  }));
}

/**
 * OpenCV's samples/data/digits.png: 5000 MNIST digits, 20x20x1, 500 per class, in grid order
 * (index = row*100 + col of the original 50x100 grid; rows 5d..5d+4 hold digit d). There is no
 * official split: use `stratifiedSplit` or the grid columns (`col = index % 100`).
 */
export function loadOpencvDigits(): ImageSet {
  return cached('opencv-digits', () => ({
    ...loadIdxPair(dataFile('opencv-digits', 'images-idx3-ubyte'), dataFile('opencv-digits', 'labels-idx1-ubyte'), DIGIT_CLASSES),
    source: 'opencv-digits',
  }));
}

/**
 * scikit-learn's 8x8 digits (UCI optdigits test set): 1797 images, 8x8x1. Raw values are 0..16
 * (maxValue 16, so the tensor helpers scale by 1/16). `rescale255: true` maps v -> round(v*255/16)
 * and sets maxValue 255 (what lookup-vnets needs for its 256-entry tables).
 */
export function loadSklearnDigits(opts: { rescale255?: boolean } = {}): ImageSet {
  const raw = cached('sklearn-digits', () => {
    const { images, labels, n } = readDigitsCsv(dataFile('sklearn-digits', 'digits.csv.gz'));
    return { images, shape: [n, 8, 8, 1], labels, classNames: DIGIT_CLASSES, maxValue: 16, source: 'sklearn-digits' };
  });
  if (!opts.rescale255) return raw;
  const images = Uint8Array.from(raw.images, (v) => Math.round((v * 255) / 16));
  return { ...raw, images, maxValue: 255, source: 'sklearn-digits(x255/16)' };
}
