// Rasterise a SynthScene into one labelled frame (spec §5.3): sky and road first, then facades and
// objects in decreasing depth (painter's algorithm, so nearer things occlude farther ones).
// Projection: column u = cx + f X / Z, ground row v = horizon + f h_c / Z, an object of height H
// spans rows [horizon + f (h_c - H) / Z, horizon + f h_c / Z). Pixel centres are at (x + 0.5, y + 0.5).
import type { Rng } from '../../../util/random';
import { SYNTH_BUILDING, SYNTH_CAR, SYNTH_LABEL_DIVISOR, SYNTH_ROAD, SYNTH_SKY, SYNTH_VOID } from './classes';
import { SynthScene, SynthObject } from './scene';
import { DvpsFrame } from './types';

interface Canvas {
  H: number; W: number;
  rgb: Float32Array; sem: Int32Array; ins: Int32Array; depth: Float32Array;
}

function put(c: Canvas, i: number, r: number, g: number, b: number): void {
  c.rgb[3 * i] = r; c.rgb[3 * i + 1] = g; c.rgb[3 * i + 2] = b;
}

/** Car silhouette in box-normalised coordinates (a in [0,1] left->right, b in [0,1] bottom->top). */
function carPart(a: number, b: number): 'none' | 'body' | 'window' | 'wheel' {
  const wheelR = 0.16;
  for (const wa of [0.22, 0.78]) {
    const da = (a - wa) * 1.8, db = b - wheelR; // wheels are round in pixels for a ~1.8:1.5 box
    if (da * da + db * db < wheelR * wheelR) return 'wheel';
  }
  if (b < wheelR) return 'none';
  if (b <= 0.6) {
    const r = 0.08; // rounded lower corners of the body
    const ca = Math.min(a, 1 - a), cb = b - wheelR;
    if (ca < r && cb < r && (r - ca) ** 2 + (r - cb) ** 2 > r * r) return 'none';
    return 'body';
  }
  const inset = 0.15 + (b - 0.6) * 0.35; // cabin narrows towards the roof
  if (a < inset || a > 1 - inset) return 'none';
  return b < 0.92 && a > inset + 0.05 && a < 1 - inset - 0.05 ? 'window' : 'body';
}

/** Person: a head disk on top of a vertical ellipse (box-normalised, aspect-corrected). */
function personPart(a: number, b: number, aspect: number): 'none' | 'body' | 'head' {
  const headR = 0.11, hb = 1 - headR;
  const da = (a - 0.5) * aspect, db = b - hb;
  if (da * da + db * db < headR * headR) return 'head';
  const ea = (a - 0.5) / 0.5, eb = (b - 0.42) / 0.42;
  return ea * ea + eb * eb < 1 ? 'body' : 'none';
}

function drawObject(c: Canvas, scene: SynthScene, o: SynthObject): void {
  const { focal: f, horizon, cameraHeight: hc } = scene.cfg;
  const cx = c.W / 2;
  const u0 = cx + f * (o.X - o.w / 2) / o.Z, u1 = cx + f * (o.X + o.w / 2) / o.Z;
  const v1 = horizon + f * hc / o.Z, v0 = horizon + f * (hc - o.h) / o.Z;
  const x0 = Math.max(0, Math.floor(u0)), x1 = Math.min(c.W - 1, Math.ceil(u1));
  const y0 = Math.max(0, Math.floor(v0)), y1 = Math.min(c.H - 1, Math.ceil(v1));
  const aspect = o.h / o.w;
  for (let y = y0; y <= y1; y++) {
    const b = (v1 - (y + 0.5)) / (v1 - v0);
    if (b < 0 || b >= 1) continue;
    for (let x = x0; x <= x1; x++) {
      const a = ((x + 0.5) - u0) / (u1 - u0);
      if (a < 0 || a >= 1) continue;
      const part = o.classId === SYNTH_CAR ? carPart(a, b) : personPart(a, b, aspect);
      if (part === 'none') continue;
      const i = y * c.W + x;
      c.sem[i] = o.classId; c.ins[i] = o.id; c.depth[i] = o.Z;
      const shade = 0.85 + 0.15 * b;
      if (part === 'window') put(c, i, 60, 80, 100);
      else if (part === 'wheel') put(c, i, 20, 20, 20);
      else if (part === 'head') put(c, i, 230, 190, 160);
      else put(c, i, o.color[0] * shade, o.color[1] * shade, o.color[2] * shade);
    }
  }
}

export function renderSynthFrame(scene: SynthScene, index: number, rng: Rng): DvpsFrame {
  const cfg = scene.cfg;
  const H = cfg.height, W = cfg.width, n = H * W;
  const { focal: f, horizon, cameraHeight: hc, maxRange } = cfg;
  const cx = W / 2;
  const c: Canvas = { H, W, rgb: new Float32Array(3 * n), sem: new Int32Array(n), ins: new Int32Array(n), depth: new Float32Array(n) };
  // Sky above the horizon (no depth), road below (depth from the ground plane, invalid beyond range).
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (y < horizon) {
        const t = y / Math.max(1, horizon);
        c.sem[i] = SYNTH_SKY; put(c, i, 90 + 60 * t, 140 + 50 * t, 230);
        continue;
      }
      const Z = f * hc / (y + 0.5 - horizon);
      c.sem[i] = SYNTH_ROAD;
      c.depth[i] = Z > maxRange ? 0 : Z;
      const X = ((x + 0.5) - cx) * Z / f;
      const dash = Math.floor((Z + scene.travelled) / 3) % 2 === 0;
      const onLine = [-2, 2].some((lx) => Math.abs(X - lx) < 0.12);
      const g = 95 + 25 * Math.min(1, Z / maxRange);
      if (onLine && dash) put(c, i, 235, 235, 225); else put(c, i, g, g, g + 5);
    }
  }
  // Facades and objects far to near.
  type Item = { Z: number; draw: () => void };
  const items: Item[] = [];
  for (const fc of scene.facades) {
    items.push({
      Z: fc.Z,
      draw: () => {
        const u0 = cx + f * fc.X0 / fc.Z, u1 = cx + f * fc.X1 / fc.Z;
        const v1 = horizon + f * hc / fc.Z, v0 = horizon + f * (hc - fc.h) / fc.Z;
        for (let y = Math.max(0, Math.floor(v0)); y < Math.min(H, Math.ceil(v1)); y++) {
          if (y + 0.5 < v0 || y + 0.5 >= v1) continue;
          const Yw = hc - (y + 0.5 - horizon) * fc.Z / f; // height above ground (m)
          for (let x = Math.max(0, Math.floor(u0)); x < Math.min(W, Math.ceil(u1)); x++) {
            if (x + 0.5 < u0 || x + 0.5 >= u1) continue;
            const i = y * W + x;
            const Xw = ((x + 0.5) - cx) * fc.Z / f - fc.X0;
            const win = (Xw % fc.pitch) / fc.pitch > 0.35 && (Yw % fc.pitch) / fc.pitch > 0.4 && Yw > 1;
            c.sem[i] = SYNTH_BUILDING; c.ins[i] = 0; c.depth[i] = fc.Z;
            if (win) put(c, i, 50, 60, 75); else put(c, i, fc.color[0], fc.color[1], fc.color[2]);
          }
        }
      },
    });
  }
  for (const o of scene.objects) items.push({ Z: o.Z, draw: () => drawObject(c, scene, o) });
  items.sort((a, b) => b.Z - a.Z);
  for (const it of items) it.draw();
  // Void border band (labels only; image and depth stay).
  const vb = cfg.voidBorder;
  if (vb > 0) {
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      if (y < vb || y >= H - vb || x < vb || x >= W - vb) { const i = y * W + x; c.sem[i] = SYNTH_VOID; c.ins[i] = 0; }
    }
  }
  const image = new Uint8Array(3 * n);
  for (let j = 0; j < 3 * n; j++) {
    const v = c.rgb[j] + (cfg.noise > 0 ? cfg.noise * rng.normal() : 0);
    image[j] = Math.max(0, Math.min(255, Math.round(v)));
  }
  const panoptic = new Int32Array(n);
  for (let i = 0; i < n; i++) panoptic[i] = c.sem[i] * SYNTH_LABEL_DIVISOR + c.ins[i];
  return { index, image, semantic: c.sem, instance: c.ins, panoptic, depth: c.depth };
}
