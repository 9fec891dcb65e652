// Image grids: each image becomes an embedded PNG (data URL) drawn by an image mark, with an
// optional caption (label / prediction) under it. Inputs: a tensor [N,H,W] / [N,H,W,C] (C = 1 or 3),
// or an array of images with an explicit shape. Float images are mapped to 0..255 from `range`
// (default: [0,1] if all values lie in it, [0,255] if they look like bytes, else each image's own
// min..max).
import { encodePNG, pngDataURL } from './png';
import { BaseOptions, VEGA_LITE_SCHEMA, VlSpec } from './spec';

type TensorLike = { shape: number[]; dataSync(): ArrayLike<number>; dtype?: string };

export interface ImageGridOptions extends BaseOptions {
  /** [H, W] or [H, W, C] when images are given as flat arrays. */
  shape?: number[];
  /** Images per row (default min(N, 10)). */
  columns?: number;
  /** Caption under each image (e.g. 'true 3 / pred 5'). */
  captions?: string[];
  /** Colour captions: true = correct (default colour), false = wrong (red). */
  correct?: boolean[];
  /** Value range mapped to 0..255 for float inputs; 'auto' = per-image min..max. */
  range?: [number, number] | 'auto';
  /** Displayed size of one image in pixels (default: 2x up to 64 px). */
  size?: number;
  /** Per-channel mean/std to undo a normalisation before display (x * std + mean). */
  denormalize?: { mean: number[]; std: number[] };
  /** Cap on images drawn (default 100). */
  max?: number;
}

interface Img { data: ArrayLike<number>; h: number; w: number; c: number }

function splitImages(images: TensorLike | ArrayLike<ArrayLike<number>>, opts: ImageGridOptions): Img[] {
  if (typeof (images as TensorLike).dataSync === 'function' && Array.isArray((images as TensorLike).shape)) {
    const t = images as TensorLike;
    const sh = t.shape;
    if (sh.length !== 3 && sh.length !== 4) throw new Error(`viz.imageGrid: expected a tensor [N,H,W] or [N,H,W,C], got shape [${sh.join(', ')}]`);
    const [n, h, w] = sh;
    const c = sh.length === 4 ? sh[3] : 1;
    const all = t.dataSync();
    const size = h * w * c;
    const count = Math.min(n, opts.max ?? 100);
    return Array.from({ length: count }, (_, i) => ({ data: Array.prototype.slice.call(all, i * size, (i + 1) * size) as number[], h, w, c }));
  }
  const arr = images as ArrayLike<ArrayLike<number>>;
  if (!opts.shape || opts.shape.length < 2) throw new Error('viz.imageGrid: flat image arrays need opts.shape = [H, W] or [H, W, C]');
  const [h, w, c = 1] = opts.shape;
  const out: Img[] = [];
  for (let i = 0; i < Math.min(arr.length, opts.max ?? 100); i++) {
    if (arr[i].length !== h * w * c) throw new Error(`viz.imageGrid: image ${i} has ${arr[i].length} values, shape [${opts.shape.join(', ')}] needs ${h * w * c}`);
    out.push({ data: arr[i], h, w, c });
  }
  return out;
}

/** Convert one image to uint8 HWC with 1 or 3 channels. */
export function toUint8(img: Img, range: [number, number] | 'auto' | undefined, denorm?: { mean: number[]; std: number[] }): Uint8Array {
  const { data, c } = img;
  if (c !== 1 && c !== 3) throw new Error(`viz.imageGrid: images need 1 or 3 channels, got ${c}`);
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return new Uint8Array(data);
  const v = Float32Array.from(data as ArrayLike<number>);
  if (denorm) for (let i = 0; i < v.length; i++) v[i] = v[i] * denorm.std[i % c] + denorm.mean[i % c];
  let lo: number, hi: number;
  if (Array.isArray(range)) [lo, hi] = range;
  else {
    let mn = Infinity, mx = -Infinity;
    for (const x of v) { if (x < mn) mn = x; if (x > mx) mx = x; }
    // Tolerance: float ops (linspace, resize) overshoot 1 by a few ulps.
    if (range === undefined && mn >= -1e-3 && mx <= 1 + 1e-3) { lo = 0; hi = 1; }
    else if (range === undefined && mn >= 0 && mx <= 255 && mx > 2) { lo = 0; hi = 255; }
    else { lo = mn; hi = mx > mn ? mx : mn + 1; }
  }
  const out = new Uint8Array(v.length);
  const k = 255 / (hi - lo || 1);
  for (let i = 0; i < v.length; i++) out[i] = Math.max(0, Math.min(255, Math.round((v[i] - lo) * k)));
  return out;
}

/** Grid of images with optional captions, e.g. sample predictions. */
export function imageGrid(images: TensorLike | ArrayLike<ArrayLike<number>>, opts: ImageGridOptions = {}): VlSpec {
  const imgs = splitImages(images, opts);
  if (imgs.length === 0) throw new Error('viz.imageGrid: no images');
  if (opts.captions && opts.captions.length < imgs.length) throw new Error(`viz.imageGrid: ${imgs.length} images but only ${opts.captions.length} captions`);
  const { h, w } = imgs[0];
  const size = opts.size ?? Math.max(w, Math.min(64, 2 * w));
  const scale = Math.max(1, Math.round(size / w));
  const cols = opts.columns ?? Math.min(imgs.length, 10);
  const rows = Math.ceil(imgs.length / cols);
  const capH = opts.captions ? 14 : 0;
  const values = imgs.map((img, i) => ({
    url: pngDataURL(encodePNG(toUint8(img, opts.range, opts.denormalize), img.w, img.h, img.c, scale)),
    col: i % cols, row: Math.floor(i / cols), index: i,
    caption: opts.captions ? opts.captions[i] : '',
    ok: opts.correct ? opts.correct[i] !== false : true,
  }));
  const cellW = size + 6, cellH = Math.round(size * (h / w)) + 6 + capH;
  const spec: VlSpec = {
    $schema: VEGA_LITE_SCHEMA,
    width: opts.width ?? cols * cellW,
    height: opts.height ?? rows * cellH,
    data: { values },
    // Pixel positions (not band scales) keep images square whatever the grid shape.
    transform: [
      { calculate: `datum.col * ${cellW} + ${cellW / 2}`, as: 'px' },
      { calculate: `datum.row * ${cellH} + ${(cellH - capH) / 2}`, as: 'py' },
      { calculate: `datum.row * ${cellH} + ${cellH - capH + 10}`, as: 'ty' },
    ],
    layer: [
      {
        mark: { type: 'image', width: size, height: Math.round(size * (h / w)), aria: false },
        encoding: {
          x: { field: 'px', type: 'quantitative', axis: null, scale: { domain: [0, cols * cellW] } },
          y: { field: 'py', type: 'quantitative', axis: null, scale: { domain: [0, rows * cellH], reverse: true } },
          url: { field: 'url', type: 'nominal' },
        },
      },
    ],
    config: { view: { stroke: null } },
  };
  if (opts.title) spec.title = opts.title;
  if (opts.captions) {
    (spec.layer as VlSpec[]).push({
      mark: { type: 'text', fontSize: 10 },
      encoding: {
        x: { field: 'px', type: 'quantitative', axis: null, scale: { domain: [0, cols * cellW] } },
        y: { field: 'ty', type: 'quantitative', axis: null, scale: { domain: [0, rows * cellH], reverse: true } },
        text: { field: 'caption' },
        color: { condition: { test: '!datum.ok', value: '#d62728' }, value: '#333' },
      },
    });
  }
  return spec;
}
