// What the learned code looks like (paper Fig. 16, Q5): images re-coloured through the tables and the
// tables as functions of the intensity. Display scale per channel comes from the table's min and max
// (not the image's), so every image is shown on the same scale [ours].

export interface PixelArray {
  images: ArrayLike<number>;
  shape: [number, number, number, number];
}

const CHANNEL_NAMES = ['R', 'G', 'B'];

function channelName(ch: number, C: number): string {
  return C === 1 ? 'gray' : CHANNEL_NAMES[ch] ?? `ch${ch}`;
}

/** Re-colour integer images through a table [C][K][u] (dimension `dim`) into display bytes 0..255. */
export function codedImage(x: PixelArray, table: number[][][], cmpRate: number, dim = 0): Uint8Array {
  const C = x.shape[3];
  if (table.length !== C) throw new Error(`codedImage: table has ${table.length} channels, images have ${C}`);
  const lut: Uint8Array[] = table.map((rows) => {
    if (dim < 0 || dim >= rows[0].length) throw new Error(`codedImage: dim ${dim} out of range for u = ${rows[0].length}`);
    const vals = rows.map((r) => r[dim]);
    const lo = Math.min(...vals), hi = Math.max(...vals);
    return Uint8Array.from(vals, (v) => (hi > lo ? Math.round((255 * (v - lo)) / (hi - lo)) : 128));
  });
  const out = new Uint8Array(x.images.length);
  for (let i = 0; i < out.length; i++) out[i] = lut[i % C][Math.floor(x.images[i] / cmpRate)];
  return out;
}

export interface TableCurveRow { channel: string; intensity: number; entry: number; value: number; dim: number }

/** One row per (channel, intensity 0..255): the table as a function of the intensity (a step function when c > 1). */
export function tableCurves(table: number[][][], cmpRate: number, dims: number[] = [0]): TableCurveRow[] {
  const rows: TableCurveRow[] = [];
  table.forEach((t, ch) => {
    for (const d of dims) for (let v = 0; v < 256; v++) {
      const k = Math.floor(v / cmpRate);
      rows.push({ channel: channelName(ch, table.length), intensity: v, entry: k, value: t[k][d], dim: d });
    }
  });
  return rows;
}

export interface PixelMark { row: string; image: number; x: number; y: number; hex: string }

const hex2 = (v: number) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0');

/** rect marks (one per pixel) for a vega-lite image grid; grayscale is shown as grey. */
export function pixelMarks(x: PixelArray, row: string, indices: number[]): PixelMark[] {
  const [, H, W, C] = x.shape;
  const out: PixelMark[] = [];
  indices.forEach((n, col) => {
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
      const o = ((n * H + i) * W + j) * C;
      const rgb = C === 1 ? [x.images[o], x.images[o], x.images[o]] : [x.images[o], x.images[o + 1], x.images[o + 2]];
      out.push({ row, image: col, x: j, y: i, hex: `#${rgb.map(hex2).join('')}` });
    }
  });
  return out;
}
