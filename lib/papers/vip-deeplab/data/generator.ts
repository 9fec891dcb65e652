// Seeded synthetic street videos with per-pixel class, temporally consistent instance ids and metric
// depth (spec §5.3 "ShapesDVPS"): the stand-in for Cityscapes-DVPS (dense, 6 annotated frames 5 raw
// frames apart) and SemKITTI-DVPS (consecutive frames, sparse LiDAR-row labels and depth).
// Deterministic: the same (seed, config) gives the same sequence; motion, spawning, image noise and
// LiDAR dropout use independent forks of makeRng(seed) so changing one does not shift the others.
import { makeRng, Rng } from '../../../util/random';
import { SYNTH_LABEL_DIVISOR, SYNTH_VOID } from './classes';
import { synthConfig } from './config';
import { renderSynthFrame } from './render';
import { initSynthScene, stepSynthScene } from './scene';
import { DvpsFrame, DvpsSequence, SynthConfig, TrackInfo } from './types';

/** Rows sampled by the simulated LiDAR: numBeams rows evenly spaced from the horizon to the bottom. */
export function lidarRows(cfg: SynthConfig): number[] {
  const rows = new Set<number>();
  const span = cfg.height - cfg.horizon;
  for (let j = 0; j < cfg.numBeams; j++) rows.add(Math.min(cfg.height - 1, cfg.horizon + Math.floor(((j + 0.5) * span) / cfg.numBeams)));
  return [...rows].sort((a, b) => a - b);
}

/** Keep labels/depth only on LiDAR rows with valid depth, minus random dropout; everything else void/0. */
export function sparsifyFrame(frame: DvpsFrame, cfg: SynthConfig, rng: Rng): DvpsFrame {
  const W = cfg.width, n = cfg.height * W;
  const keep = new Uint8Array(n);
  for (const y of lidarRows(cfg)) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (frame.depth[i] > 0 && rng.next() >= cfg.pointDropout) keep[i] = 1;
    }
  }
  const semantic = new Int32Array(n), instance = new Int32Array(n), panoptic = new Int32Array(n), depth = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (keep[i] && frame.semantic[i] !== SYNTH_VOID) {
      semantic[i] = frame.semantic[i]; instance[i] = frame.instance[i]; panoptic[i] = frame.panoptic[i]; depth[i] = frame.depth[i];
    } else {
      semantic[i] = SYNTH_VOID; panoptic[i] = SYNTH_VOID * SYNTH_LABEL_DIVISOR;
    }
  }
  return { index: frame.index, image: frame.image, semantic, instance, panoptic, depth, denseDepth: frame.depth };
}

function trackInfo(frames: DvpsFrame[], W: number, classOf: Map<number, number>): TrackInfo[] {
  const per = new Map<number, { first: number; last: number; cents: ({ y: number; x: number } | null)[] }>();
  frames.forEach((fr, t) => {
    const acc = new Map<number, { n: number; sy: number; sx: number }>();
    for (let i = 0; i < fr.instance.length; i++) {
      const id = fr.instance[i];
      if (id === 0) continue;
      let a = acc.get(id);
      if (!a) { a = { n: 0, sy: 0, sx: 0 }; acc.set(id, a); }
      a.n++; a.sy += Math.floor(i / W); a.sx += i % W;
    }
    for (const [id, a] of acc) {
      let p = per.get(id);
      if (!p) { p = { first: t, last: t, cents: new Array(frames.length).fill(null) }; per.set(id, p); }
      p.last = t; p.cents[t] = { y: a.sy / a.n, x: a.sx / a.n };
    }
  });
  const out: TrackInfo[] = [];
  for (const [id, p] of per) {
    let s = 0, m = 0;
    for (let t = 1; t < frames.length; t++) {
      const a = p.cents[t - 1], b = p.cents[t];
      if (a && b) { s += Math.hypot(b.y - a.y, b.x - a.x); m++; }
    }
    out.push({ id, classId: classOf.get(id)!, firstFrame: p.first, lastFrame: p.last, meanSpeedPx: m ? s / m : 0 });
  }
  return out.sort((a, b) => a.id - b.id);
}

/** One synthetic sequence; see SynthConfig for the options and their defaults. */
export function generateSynthSequence(seed: number, options: Partial<SynthConfig> = {}): DvpsSequence {
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`generateSynthSequence: seed must be a non-negative integer, got ${seed}`);
  const cfg = synthConfig(options);
  const root = makeRng(seed);
  const sceneRng = root.fork('scene'), noiseRng = root.fork('noise'), lidarRng = root.fork('lidar');
  const scene = initSynthScene(cfg, sceneRng);
  const classOf = new Map<number, number>();
  const frames: DvpsFrame[] = [];
  const rawFrames = (cfg.numFrames - 1) * cfg.frameGap + 1;
  for (let r = 0; r < rawFrames; r++) {
    if (r > 0) stepSynthScene(scene, sceneRng);
    for (const o of scene.objects) classOf.set(o.id, o.classId);
    if (r % cfg.frameGap !== 0) continue;
    const fr = renderSynthFrame(scene, r, noiseRng);
    fr.denseDepth = fr.depth;
    frames.push(cfg.mode === 'semkitti-like' ? sparsifyFrame(fr, cfg, lidarRng) : fr);
  }
  return {
    name: `synth-${cfg.mode}-${seed}`, seed, height: cfg.height, width: cfg.width,
    labelDivisor: SYNTH_LABEL_DIVISOR, voidId: SYNTH_VOID,
    focal: cfg.focal, cx: cfg.width / 2, cy: cfg.horizon,
    config: cfg, frames, tracks: trackInfo(frames, cfg.width, classOf),
  };
}

/** Seed of the i-th sequence of a split (spec §5.3: train seeds 0.., val seeds 10^6 + i). */
export function synthSplitSeed(split: 'train' | 'val', i: number): number {
  if (split !== 'train' && split !== 'val') throw new Error(`synthSplitSeed: unknown split '${split}' (use 'train' or 'val')`);
  return split === 'train' ? i : 1_000_000 + i;
}

/** `count` sequences of a split; `offset` skips the first ones (e.g. for a second seed's data). */
export function generateSynthSplit(split: 'train' | 'val', count: number, options: Partial<SynthConfig> = {}, offset = 0): DvpsSequence[] {
  if (!Number.isInteger(count) || count < 0) throw new Error(`generateSynthSplit: count must be a non-negative integer, got ${count}`);
  const out: DvpsSequence[] = [];
  for (let i = 0; i < count; i++) out.push(generateSynthSequence(synthSplitSeed(split, offset + i), options));
  return out;
}
