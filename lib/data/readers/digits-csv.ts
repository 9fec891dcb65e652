// scikit-learn's `digits.csv.gz` (sklearn/datasets/data/): one line per image, 64 pixel values
// 0..16 (row-major 8x8) then the label, comma-separated (written as integers or floats).
import { readMaybeGzip } from './bytes';

export function parseDigitsCsv(text: string, path = '<text>'): { images: Uint8Array; labels: Int32Array; n: number } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const n = lines.length;
  const images = new Uint8Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const f = lines[i].split(',');
    if (f.length !== 65) throw new Error(`readDigitsCsv: ${path} line ${i + 1} has ${f.length} fields, expected 65 (64 pixels + label)`);
    for (let k = 0; k < 65; k++) {
      const v = Number(f[k]);
      const max = k < 64 ? 16 : 9;
      if (!Number.isInteger(v) || v < 0 || v > max) {
        throw new Error(`readDigitsCsv: ${path} line ${i + 1} field ${k + 1} is ${JSON.stringify(f[k])}, expected an integer 0..${max}`);
      }
      if (k < 64) images[i * 64 + k] = v; else labels[i] = v;
    }
  }
  return { images, labels, n };
}

/** Read sklearn's digits CSV (gzipped or not). */
export function readDigitsCsv(path: string) {
  return parseDigitsCsv(readMaybeGzip(path, 'readDigitsCsv').toString('utf8'), path);
}
