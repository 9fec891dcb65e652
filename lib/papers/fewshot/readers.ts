// Readers for users who have the real data: pre-extracted feature matrices (.npy) and
// MiniImageNet-style folders (Ravi & Larochelle split CSVs `filename,label` + an images folder, or
// one sub-folder per class). Image decoding is pluggable: this library ships no JPEG decoder.
import * as fs from 'fs';
import * as path from 'path';
import type { Features } from './features';
import { checkFeatures } from './features';
import { npyToNumeric, readNpy } from '../../data/readers/npy';

// The .npy format itself lives in lib/data (readNpy / encodeNpy); kept here under the names the
// tests and older code use.
export { encodeNpy } from '../../data/readers/npy';

/** Read a .npy (or gzip-compressed .npy.gz); floats as Float32Array, integers/bools as Int32Array. */
export function loadNpy(path: string): { data: Float32Array | Int32Array; shape: number[]; dtype: string } {
  const a = readNpy(path);
  return { data: npyToNumeric(a), shape: a.shape, dtype: a.dtype };
}

/** A FeatureDataset from an [N, n] activation .npy and an [N] label .npy. */
export function loadFeatureDataset(featuresPath: string, labelsPath: string): Features {
  const f = loadNpy(featuresPath); const l = loadNpy(labelsPath);
  if (f.shape.length !== 2) throw new Error(`loadFeatureDataset: features must be [N, n], got [${f.shape}] in ${featuresPath}`);
  if (l.shape.length !== 1 || l.shape[0] !== f.shape[0]) throw new Error(`loadFeatureDataset: labels must be [${f.shape[0]}], got [${l.shape}] in ${labelsPath}`);
  const x = f.data instanceof Float32Array ? f.data : Float32Array.from(f.data);
  const labels = l.data instanceof Int32Array ? l.data : Int32Array.from(l.data, (v) => {
    if (!Number.isInteger(v)) throw new Error(`loadFeatureDataset: non-integer label ${v} in ${labelsPath}`);
    return v;
  });
  return checkFeatures({ x, labels, dim: f.shape[1] }, 'loadFeatureDataset');
}

export interface ImageListSplit {
  /** Class names (WordNet ids) in first-appearance order; position = label. */
  classNames: string[];
  files: string[];
  labels: Int32Array;
}

/** Parse a Ravi-style split CSV (`filename,label` header then rows) into files under `imageDir`. */
export function readSplitCsv(csvPath: string, imageDir: string): ImageListSplit {
  if (!fs.existsSync(csvPath)) throw new Error(`readSplitCsv: file not found: ${csvPath}`);
  const lines = fs.readFileSync(csvPath, 'utf8').split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0 || !/^filename\s*,\s*label/i.test(lines[0])) throw new Error(`readSplitCsv: ${csvPath} must start with a 'filename,label' header`);
  const classNames: string[] = []; const idx = new Map<string, number>();
  const files: string[] = []; const labels: number[] = [];
  lines.slice(1).forEach((line, i) => {
    const [file, label] = line.split(',').map((s) => s.trim());
    if (!file || !label) throw new Error(`readSplitCsv: ${csvPath} line ${i + 2} is not 'filename,label': ${line}`);
    if (!idx.has(label)) { idx.set(label, classNames.length); classNames.push(label); }
    files.push(path.join(imageDir, file)); labels.push(idx.get(label)!);
  });
  return { classNames, files, labels: Int32Array.from(labels) };
}

/** A folder with one sub-folder per class (ImageNet `n01440764/*.JPEG` layout). */
export function readClassFolders(root: string, extensions = ['.jpg', '.jpeg', '.png']): ImageListSplit {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`readClassFolders: not a directory: ${root}`);
  const classNames = fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory()).sort();
  if (classNames.length === 0) throw new Error(`readClassFolders: ${root} has no class sub-folders`);
  const files: string[] = []; const labels: number[] = [];
  classNames.forEach((c, i) => {
    for (const f of fs.readdirSync(path.join(root, c)).sort()) {
      if (extensions.includes(path.extname(f).toLowerCase())) { files.push(path.join(root, c, f)); labels.push(i); }
    }
  });
  return { classNames, files, labels: Int32Array.from(labels) };
}

export interface MiniImageNetSplits { large: ImageListSplit; few: ImageListSplit }

/**
 * MiniImageNet as the thesis uses it (spec 5.2, pitfall 15): C_large = Ravi train (64) + val (16) = 80
 * classes, C_few = Ravi test (20). `root` holds train.csv, val.csv, test.csv and an `images/` folder.
 * Labels: large classes 0..79, few classes 80..99.
 */
export function readMiniImageNet(root: string): MiniImageNetSplits {
  const img = path.join(root, 'images');
  const [tr, va, te] = ['train.csv', 'val.csv', 'test.csv'].map((f) => readSplitCsv(path.join(root, f), img));
  const large: ImageListSplit = {
    classNames: [...tr.classNames, ...va.classNames], files: [...tr.files, ...va.files],
    labels: Int32Array.from([...tr.labels, ...Array.from(va.labels, (l) => l + tr.classNames.length)]),
  };
  const offset = large.classNames.length;
  const few: ImageListSplit = { classNames: te.classNames, files: te.files, labels: Int32Array.from(te.labels, (l) => l + offset) };
  return { large, few };
}
