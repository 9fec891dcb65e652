// Per-dataset normalisation constants (mean/std of pixel/maxValue per channel) and a way to
// compute them from a training set.
import { ImageSet, Normalization } from './types';

export const NORMALIZATION: Record<string, Normalization> = {
  /** Fashion-MNIST train set (intra-model-collab spec 5.2: (x/255 - 0.2860)/0.3530). */
  fashionMnist: { mean: [0.2860], std: [0.3530] },
  /** MNIST train set (the usual torchvision constants). */
  mnist: { mean: [0.1307], std: [0.3081] },
  /** CIFAR-10 train set (intra-model-collab spec 5.1). */
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616] },
  /** CIFAR-100 train set (intra-model-collab spec 5.1). */
  cifar100: { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] },
  /** STL-10 (Nøkland's values, intra-model-collab spec 5.1). */
  stl10: { mean: [0.447, 0.440, 0.407], std: [0.260, 0.257, 0.271] },
  /** No normalisation beyond scaling to [0, 1]. */
  unit: { mean: [0], std: [1] },
};

/** Per-channel mean and (population) std of pixel/maxValue over a set (or the given indices). */
export function computeNormalization(set: ImageSet, indices?: ArrayLike<number>): Normalization {
  const [n, h, w, c] = set.shape;
  const per = h * w * c;
  const sum = new Float64Array(c), sq = new Float64Array(c);
  const m = indices ? indices.length : n;
  for (let t = 0; t < m; t++) {
    const i = indices ? indices[t] : t;
    const base = i * per;
    for (let p = 0; p < per; p++) {
      const v = set.images[base + p] / set.maxValue;
      sum[p % c] += v;
      sq[p % c] += v * v;
    }
  }
  const cnt = m * h * w;
  const mean = Array.from(sum, (s) => s / cnt);
  const std = Array.from(sq, (s, k) => Math.sqrt(Math.max(s / cnt - mean[k] * mean[k], 0)));
  return { mean, std };
}
