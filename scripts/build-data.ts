// Builds data/ from the source files scripts/fetch-data.sh gathered (Debian packages or the
// official URLs): copies the Fashion-MNIST IDX .gz files and sklearn's digits.csv.gz as they are,
// and cuts OpenCV's digits.png into an IDX pair so no PNG decoder runs at load time.
// Usage: node dist/scripts/build-data.js --fashion DIR --opencv-png FILE --sklearn-csv FILE --out DIR
import * as fs from 'fs';
import * as path from 'path';
import { readPng, pngToGray } from '../lib/data/readers/png';
import { writeIdx, readIdxImages, readIdxLabels } from '../lib/data/readers/idx';
import { readDigitsCsv } from '../lib/data/readers/digits-csv';

const CELL = 20;
const GRID_ROWS = 50;
const GRID_COLS = 100;

/** Cut the 2000x1000 digits.png into 5000 20x20 cells in grid order; grid row r holds digit floor(r/5). */
export function cutOpencvDigits(pngPath: string): { images: Uint8Array; labels: Uint8Array } {
  const png = readPng(pngPath);
  if (png.width !== GRID_COLS * CELL || png.height !== GRID_ROWS * CELL) {
    throw new Error(`cutOpencvDigits: ${pngPath} is ${png.width}x${png.height}, expected ${GRID_COLS * CELL}x${GRID_ROWS * CELL}`);
  }
  const gray = pngToGray(png);
  const n = GRID_ROWS * GRID_COLS;
  const images = new Uint8Array(n * CELL * CELL);
  const labels = new Uint8Array(n);
  for (let r = 0; r < GRID_ROWS; r++) {
    for (let c = 0; c < GRID_COLS; c++) {
      const i = r * GRID_COLS + c;
      labels[i] = Math.floor(r / 5);
      for (let y = 0; y < CELL; y++) {
        const src = (r * CELL + y) * png.width + c * CELL;
        images.set(gray.subarray(src, src + CELL), (i * CELL + y) * CELL);
      }
    }
  }
  return { images, labels };
}

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`build-data: missing --${name}`);
  return process.argv[i + 1];
}

function main(): void {
  const out = arg('out');
  const fashion = arg('fashion');
  const fmDir = path.join(out, 'fashion-mnist');
  const cvDir = path.join(out, 'opencv-digits');
  const skDir = path.join(out, 'sklearn-digits');
  for (const d of [fmDir, cvDir, skDir]) fs.mkdirSync(d, { recursive: true });

  for (const split of ['train', 't10k']) {
    const img = path.join(fashion, `${split}-images-idx3-ubyte.gz`);
    const lab = path.join(fashion, `${split}-labels-idx1-ubyte.gz`);
    const { n, rows, cols } = readIdxImages(img); // validates before we ship it
    const labels = readIdxLabels(lab);
    if (labels.length !== n || rows !== 28 || cols !== 28) throw new Error(`build-data: ${img} is ${n}x${rows}x${cols} with ${labels.length} labels`);
    fs.copyFileSync(img, path.join(fmDir, path.basename(img)));
    fs.copyFileSync(lab, path.join(fmDir, path.basename(lab)));
    console.log(`fashion-mnist ${split}: ${n} images`);
  }

  const { images, labels } = cutOpencvDigits(arg('opencv-png'));
  // Raw (not gzipped) so the bytes, and so data/SHA256SUMS, do not depend on the zlib version.
  writeIdx(path.join(cvDir, 'images-idx3-ubyte'), [labels.length, CELL, CELL], images);
  writeIdx(path.join(cvDir, 'labels-idx1-ubyte'), [labels.length], labels);
  console.log(`opencv-digits: ${labels.length} images`);

  const csv = arg('sklearn-csv');
  const { n } = readDigitsCsv(csv);
  fs.copyFileSync(csv, path.join(skDir, 'digits.csv.gz'));
  console.log(`sklearn-digits: ${n} images`);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
