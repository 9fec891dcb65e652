// Pure arithmetic of the Lookup-VNet input code (no tensors): how intensities map to table
// entries under a CMP-rate c, what a compressed pixel costs to store, and the extra parameters
// and computation of a Lookup-VNet over the standard network (paper Section III).

const INTENSITIES = 256;

function checkRate(c: number, where: string): void {
  if (!Number.isInteger(c) || c < 1) throw new Error(`${where}: CMP-rate c must be a positive integer, got ${c}`);
}

/** K_c = ceil(256 / c): entries per channel of a table with CMP-rate c (c = 1: full table). */
export function numEntries(c: number): number {
  checkRate(c, 'numEntries');
  return Math.ceil(INTENSITIES / c);
}

/** q_c(v) = floor(v / c): the entry that intensity v (integer 0..255) reads. */
export function binIndex(v: number, c: number): number {
  checkRate(c, 'binIndex');
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`binIndex: intensity must be an integer in [0, 255], got ${v}`);
  return Math.floor(v / c);
}

/** The intensities [lo, hi] (inclusive) that share entry k. The last bin is narrower when c does not divide 256. */
export function binRange(k: number, c: number): [number, number] {
  const K = numEntries(c);
  if (!Number.isInteger(k) || k < 0 || k >= K) throw new Error(`binRange: entry k must be an integer in [0, ${K - 1}] for c = ${c}, got ${k}`);
  return [k * c, Math.min(255, k * c + c - 1)];
}

/** Bits to store one channel's index: ceil(log2 K) (0 when K = 1). */
export function bitsPerChannel(c: number): number {
  const K = numEntries(c);
  return K <= 1 ? 0 : Math.ceil(Math.log2(K) - 1e-12);
}

/** Bits per pixel of a compressed image (paper: c = 16 gives 12 instead of 24). */
export function bitsPerPixel(c: number, channels = 3): number {
  return channels * bitsPerChannel(c);
}

/** The paper's "compressed about c^3 times" (nominal). */
export function nominalCompression(c: number): number {
  checkRate(c, 'nominalCompression');
  return c * c * c;
}

/** The exact colour-space ratio 256^3 / K^3 (equals c^3 only when c divides 256). */
export function exactCompression(c: number): number {
  const r = INTENSITIES / numEntries(c);
  return r * r * r;
}

/** MSB-first bit packing of indices < 2^bits: the storage claim made concrete. Length ceil(count*bits/8). */
export function packIndices(idx: ArrayLike<number>, bits: number): Uint8Array {
  if (!Number.isInteger(bits) || bits < 0 || bits > 8) throw new Error(`packIndices: bits must be an integer in [0, 8], got ${bits}`);
  const out = new Uint8Array(Math.ceil((idx.length * bits) / 8));
  if (bits === 0) {
    for (let i = 0; i < idx.length; i++) if (idx[i] !== 0) throw new Error(`packIndices: index ${idx[i]} at ${i} does not fit in 0 bits`);
    return out;
  }
  const lim = 1 << bits;
  let bitPos = 0;
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (!Number.isInteger(v) || v < 0 || v >= lim) throw new Error(`packIndices: index ${v} at ${i} does not fit in ${bits} bits`);
    for (let b = bits - 1; b >= 0; b--, bitPos++) {
      if ((v >> b) & 1) out[bitPos >> 3] |= 0x80 >> (bitPos & 7);
    }
  }
  return out;
}

/** Inverse of packIndices. */
export function unpackIndices(bytes: Uint8Array, bits: number, count: number): Uint8Array {
  if (!Number.isInteger(bits) || bits < 0 || bits > 8) throw new Error(`unpackIndices: bits must be an integer in [0, 8], got ${bits}`);
  const need = Math.ceil((count * bits) / 8);
  if (bytes.length < need) throw new Error(`unpackIndices: ${count} indices of ${bits} bits need ${need} bytes, got ${bytes.length}`);
  const out = new Uint8Array(count);
  if (bits === 0) return out;
  let bitPos = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    for (let b = 0; b < bits; b++, bitPos++) v = (v << 1) | ((bytes[bitPos >> 3] >> (7 - (bitPos & 7))) & 1);
    out[i] = v;
  }
  return out;
}

/**
 * Extra parameters of a full-table Lookup-VNet whose first layer is a k x k conv with j kernels:
 * 256*C*u (tables) + k*k*C*(u-1)*j (the first conv's wider input). Biases do not depend on u.
 */
export function extraParams(u: number, k: number, j: number, channels = 3): number {
  if (!Number.isInteger(u) || u < 1) throw new Error(`extraParams: vector dimension u must be a positive integer, got ${u}`);
  return INTENSITIES * channels * u + k * k * channels * (u - 1) * j;
}

/** Extra parameters of a compressed Lookup-VNet: C * ceil(256/c) scalars (first layer unchanged). [ours] */
export function extraParamsCompressed(c: number, channels = 3): number {
  return channels * numEntries(c);
}

/**
 * Extra computation in floats (paper Section III-C): m*n*C lookups plus the first conv's extra
 * multiply-adds, ceil(m/s)*ceil(n/s)*j*2*k^2*C*(u-1) ("same" padding).
 */
export function extraFlops(m: number, n: number, s: number, k: number, j: number, u: number, channels = 3): number {
  if (!Number.isInteger(u) || u < 1) throw new Error(`extraFlops: vector dimension u must be a positive integer, got ${u}`);
  const out = Math.ceil(m / s) * Math.ceil(n / s) * j;
  return m * n * channels + out * (2 * k * k * channels * u + 1) - out * (2 * k * k * channels + 1);
}

/** One row of the storage / compression table (spec 2.9). */
export interface CodeCost {
  c: number;
  entries: number;
  bitsPerChannel: number;
  bitsPerPixel: number;
  nominalCompression: number;
  exactCompression: number;
}

export function codeCost(c: number, channels = 3): CodeCost {
  return {
    c,
    entries: numEntries(c),
    bitsPerChannel: bitsPerChannel(c),
    bitsPerPixel: bitsPerPixel(c, channels),
    nominalCompression: nominalCompression(c),
    exactCompression: exactCompression(c),
  };
}
