// The thesis' numbers (Qiao 2021, ch. 2), for tables that put them beside ours. Percentages.
// Table 2-I: 1000-way ILSVRC-2015 validation, ResNet-50 pre-trained on 900 classes. Keys use this
// library's method names; `thesisName` is the row name in the thesis.
export interface PaperJointRow { method: string; thesisName: string; shots: number; top1Large: number; top5Large: number; top1Few: number; top5Few: number }

const t21: [string, string, number[][]][] = [
  ['NN+Cosine 100%', 'NN + Cosine (100%)', [[71.54, 91.20, 1.72, 5.86], [71.54, 91.20, 3.34, 9.88], [71.54, 91.20, 4.58, 12.72]]],
  ['NN+Cosine 10%', 'NN + Cosine (10%)', [[67.68, 88.90, 4.42, 13.36], [67.66, 88.89, 7.60, 19.94], [67.65, 88.88, 9.86, 24.96]]],
  ['NN+Cosine 1%', 'NN + Cosine (1%)', [[61.11, 85.11, 10.42, 25.88], [61.04, 85.04, 15.14, 35.70], [60.97, 84.95, 18.68, 42.16]]],
  ['FT-FC', 'Fine-Tuned ResNet', [[76.28, 93.17, 2.82, 13.30], [76.27, 93.13, 10.32, 30.34], [76.25, 93.07, 16.76, 39.92]]],
  ['LLaC-FC', 'Learning like a Child', [[76.71, 93.24, 2.90, 17.14], [76.68, 93.17, 11.54, 37.68], [76.55, 93.00, 18.56, 50.70]]],
  ['Ours-phi1', 'Ours-phi^1', [[72.56, 91.12, 19.88, 43.20], [71.94, 90.62, 25.54, 52.98], [71.56, 90.21, 28.72, 58.50]]],
  ['Ours-phi2', 'Ours-phi^2', [[74.17, 91.79, 21.58, 45.82], [73.43, 91.13, 27.44, 55.86], [72.98, 90.59, 31.20, 61.44]]],
  ['Ours-phi2*', 'Ours-phi^2*', [[75.63, 92.92, 14.32, 33.84], [75.44, 92.74, 18.70, 43.92], [75.34, 92.60, 22.32, 49.76]]],
];

export const PAPER_TABLE_2_1: PaperJointRow[] = t21.flatMap(([method, thesisName, byShot]) =>
  byShot.map((v, i) => ({ method, thesisName, shots: i + 1, top1Large: v[0], top5Large: v[1], top1Few: v[2], top5Few: v[3] })));

/** Table 2-II: oracle classifiers on the frozen features with all data of every class. */
export const PAPER_TABLE_2_2 = [
  { classifier: 'NN', top1Large: 70.25, top5Large: 89.98, top1Few: 52.46, top5Few: 80.94 },
  { classifier: 'Linear', top1Large: 75.20, top5Large: 92.38, top1Few: 60.50, top5Few: 87.58 },
];

/** Table 2-III: MiniImageNet 5-way, mean ± 95% CI. */
export const PAPER_TABLE_2_3 = [
  { method: 'Fine-Tuned Baseline', oneShot: 28.86, oneShotCI: 0.54, fiveShot: 49.79, fiveShotCI: 0.79 },
  { method: 'Nearest Neighbor', oneShot: 41.08, oneShotCI: 0.70, fiveShot: 51.04, fiveShotCI: 0.65 },
  { method: 'Matching Network', oneShot: 43.56, oneShotCI: 0.84, fiveShot: 55.31, fiveShotCI: 0.73 },
  { method: 'Meta-Learner LSTM', oneShot: 43.44, oneShotCI: 0.77, fiveShot: 60.60, fiveShotCI: 0.71 },
  { method: 'MAML', oneShot: 48.70, oneShotCI: 1.84, fiveShot: 63.11, fiveShotCI: 0.92 },
  { method: 'Ours-Simple', oneShot: 54.53, oneShotCI: 0.40, fiveShot: 67.87, fiveShotCI: 0.20 },
  { method: 'Ours-WRN', oneShot: 59.60, oneShotCI: 0.41, fiveShot: 73.74, fiveShotCI: 0.19 },
];

/** Section 2.4.1.4-5 numbers. */
export const PAPER_EFFICIENCY = { oursAdaptSeconds100Classes: 0.683, ftRetrainHoursPerEpoch4Gpu: 1.8, nnMsPerImagePrecomputed: 37.867, networkMsPerImage: 6.83 };
export const PAPER_IMPACTS = { phi1DiagMax: 0.976, phi1DiagMin: 0.744, wptImpactMean: 2.13e-2, wptImpactStd: 5.83e-3, channels: 2048 };
