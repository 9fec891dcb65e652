// The paper's reported numbers (spec section 6 fixture): test error in %, single run, best epoch.
export const PAPER_COLUMNS = ['baseline', 'baseline_2x', 'out', 'mid', 'pullpush', 'kernel', 'out+mid+pullpush', 'pullpush+mid+kernel'] as const;

export const PAPER_TABLES: Record<string, Record<'VGG-16' | 'ResNet-18', number[]>> = {
  'CIFAR-10': { 'VGG-16': [6.32, 5.48, 5.90, 5.44, 5.51, 6.04, 5.34, 5.42], 'ResNet-18': [4.84, 4.53, 4.55, 4.47, 4.45, 4.69, 4.42, 4.31] },
  'CIFAR-100': { 'VGG-16': [26.94, 25.39, 25.90, 24.93, 26.03, 25.64, 24.18, 25.13], 'ResNet-18': [22.98, 21.58, 22.02, 21.93, 22.27, 22.55, 22.03, 20.93] },
  'ImageNet32 (top-5)': { 'VGG-16': [33.08, 30.06, 30.00, 29.09, 29.51, 31.52, 28.41, 28.75], 'ResNet-18': [24.10, 22.38, 22.27, 22.01, 23.12, 22.95, 22.05, 21.64] },
  'STL-10': { 'VGG-16': [30.25, 39.70, 26.35, 28.87, 25.92, 29.53, 24.80, 25.47], 'ResNet-18': [33.31, 32.05, 27.89, 30.59, 24.80, 30.35, 24.66, 24.03] },
};

/** Table III (CIFAR-100), column order inferred by the spec (lexicographic subsets). */
export const PAPER_TABLE3 = {
  combos: ['out', 'mid', 'pullpush', 'kernel', 'out+mid', 'out+pullpush', 'out+kernel', 'mid+pullpush', 'mid+kernel', 'pullpush+kernel',
    'out+mid+pullpush', 'out+mid+kernel', 'out+pullpush+kernel', 'mid+pullpush+kernel', 'out+mid+pullpush+kernel'],
  'VGG-16': [25.90, 24.93, 26.03, 25.64, 24.76, 25.31, 25.62, 24.67, 24.81, 25.68, 24.18, 24.39, 24.81, 25.13, 24.89],
  'ResNet-18': [22.02, 21.93, 22.27, 22.55, 21.79, 21.84, 21.88, 21.60, 21.81, 21.86, 22.03, 21.42, 21.89, 20.93, 21.51],
};

export const PAPER_MEMORY_GB = { baseline: 8.77, tree: 13.16, hierarchical_dropout_4: 8.78 };
export const PAPER_NOISE = { dataset: 'CIFAR-100', model: 'VGG-16', levels: [0, 0.1, 0.2, 0.3, 0.4, 0.5], gapComboVsBaselineAt50: 3.53 };

/** Improvement over baseline (points) per method, for the reference chart (rows: dataset, network, method, gain). */
export function paperGains(): { dataset: string; network: string; method: string; gain: number }[] {
  const out: { dataset: string; network: string; method: string; gain: number }[] = [];
  for (const [ds, nets] of Object.entries(PAPER_TABLES)) {
    for (const [net, v] of Object.entries(nets)) {
      PAPER_COLUMNS.forEach((c, i) => { if (i > 0) out.push({ dataset: ds, network: net, method: c, gain: Math.round((v[0] - v[i]) * 100) / 100 }); });
    }
  }
  return out;
}
