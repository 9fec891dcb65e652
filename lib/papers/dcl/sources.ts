// Source digits for the multi-digit benchmark: the shipped OpenCV 5000 MNIST digits (split by
// digit image), or real MNIST IDX files for a user who has them (train digits -> training numbers,
// test digits -> test numbers, exactly as the paper).
import { loadOpencvDigits, loadIdxPair, DIGIT_CLASSES } from '../../data/shipped';
import { concatSets } from '../../data/subset';
import type { ImageSet } from '../../data/types';
import type { Rng } from '../../util/random';
import { splitSources } from './multidigit';

export interface DigitSources {
  /** All source digits (1 channel). */
  set: ImageSet;
  /** Indices of the digits training numbers are built from. */
  train: Int32Array;
  /** Indices of the digits test numbers are built from (disjoint from train). */
  test: Int32Array;
  description: string;
}

/**
 * OpenCV digits.png in grid order (index = row*100 + col): columns 0-79 -> training sources (400 per
 * class), columns 80-99 -> test sources (100 per class). A fixed split by digit image (spec §5.3).
 */
export function opencvGridSplit(set: ImageSet): { train: Int32Array; test: Int32Array } {
  if (set.shape[0] !== 5000) throw new Error(`opencvGridSplit: expected the 5000 OpenCV digits in grid order, got ${set.shape[0]} images`);
  const train: number[] = [], test: number[] = [];
  for (let i = 0; i < 5000; i++) (i % 100 < 80 ? train : test).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

export type DigitSourceSpec =
  | { kind: 'opencv'; split?: 'grid' | 'random'; rng?: Rng }
  /** Real MNIST IDX files (raw or .gz): the four standard files. */
  | { kind: 'mnist-idx'; trainImages: string; trainLabels: string; testImages: string; testLabels: string };

export function loadDigitSources(spec: DigitSourceSpec = { kind: 'opencv' }): DigitSources {
  if (spec.kind === 'opencv') {
    const set = loadOpencvDigits();
    if ((spec.split ?? 'grid') === 'grid') return { set, ...opencvGridSplit(set), description: 'OpenCV digits.png, grid columns 0-79 train / 80-99 test' };
    if (!spec.rng) throw new Error("loadDigitSources: split 'random' needs an rng");
    return { set, ...splitSources(set, 0.2, spec.rng), description: 'OpenCV digits.png, stratified random 80/20 split by digit image' };
  }
  if (spec.kind === 'mnist-idx') {
    const tr = loadIdxPair(spec.trainImages, spec.trainLabels, DIGIT_CLASSES);
    const te = loadIdxPair(spec.testImages, spec.testLabels, DIGIT_CLASSES);
    const set = concatSets([tr, te]);
    const n = tr.shape[0];
    return {
      set,
      train: Int32Array.from({ length: n }, (_, i) => i),
      test: Int32Array.from({ length: te.shape[0] }, (_, i) => n + i),
      description: `MNIST IDX (${n} train / ${te.shape[0]} test digits)`,
    };
  }
  throw new Error(`loadDigitSources: unknown kind '${(spec as { kind: string }).kind}' (expected 'opencv' or 'mnist-idx')`);
}
