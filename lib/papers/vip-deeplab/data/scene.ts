// The toy 3D street of the synthetic generator (spec §5.3): facades and moving cars/persons on a
// ground plane seen by a pinhole camera. This file holds the world state and its motion; render.ts
// rasterises it.
// (D) Velocities: the spec lists |v_X| up to 1.2 m/frame for cars but also says cars at 4-8 m should
// move 10-20 px per 5-frame gap on 64-px frames; the second (what the experiment needs) implies
// ~0.1-0.5 m/frame, so cars draw |v_X| in [0.1, 0.5], v_Z in [-0.3, 0.3]; persons |v_X| <= 0.15,
// |v_Z| <= 0.1; all multiplied by `speed`.
// (D) Depth of new objects: 4-22 m inside the view, 4-20 m at the borders, 18-28 m far away (the spec's
// [3, 30] m range, shifted nearer so that 64-px frames show things large enough to learn).
import type { Rng } from '../../../util/random';
import { SYNTH_CAR, SYNTH_PERSON } from './classes';
import { SynthConfig } from './types';

export interface SynthObject {
  id: number;
  classId: number;
  /** Lateral position (m, + right) and depth (m) of the object's footprint centre. */
  X: number;
  Z: number;
  vX: number;
  vZ: number;
  /** Physical width and height (m). */
  w: number;
  h: number;
  color: [number, number, number];
}

export interface SynthFacade {
  Z: number;
  /** Lateral extent (m). */
  X0: number;
  X1: number;
  /** Height (m). */
  h: number;
  color: [number, number, number];
  /** Window grid pitch (m). */
  pitch: number;
}

export interface SynthScene {
  cfg: SynthConfig;
  objects: SynthObject[];
  facades: SynthFacade[];
  nextId: number;
  /** Distance the camera has travelled (m), shifts road dashes under ego-motion. */
  travelled: number;
}

const MIN_Z = 3;

function uniform(rng: Rng, a: number, b: number): number { return a + (b - a) * rng.next(); }

/** Lateral half-extent (m) of the visible frustum at depth Z. */
function halfFov(cfg: SynthConfig, Z: number): number { return (cfg.width / 2) * Z / cfg.focal; }

function newObject(scene: SynthScene, rng: Rng, where: 'inside' | 'border' | 'far'): SynthObject {
  const cfg = scene.cfg;
  const isCar = rng.next() < cfg.carFraction;
  const classId = isCar ? SYNTH_CAR : SYNTH_PERSON;
  const w = isCar ? 1.8 : 0.6, h = isCar ? 1.5 : 1.7;
  const s = cfg.speed;
  const sign = rng.next() < 0.5 ? -1 : 1;
  let vX = isCar ? sign * uniform(rng, 0.1, 0.5) * s : sign * uniform(rng, 0, 0.15) * s;
  const vZ = isCar ? uniform(rng, -0.3, 0.3) * s : uniform(rng, -0.1, 0.1) * s;
  let Z: number, X: number;
  if (where === 'far') {
    Z = uniform(rng, 18, 28);
    X = uniform(rng, -0.8, 0.8) * halfFov(cfg, Z);
  } else if (where === 'border') {
    Z = uniform(rng, 4, 20);
    const edge = halfFov(cfg, Z) + w / 2;
    X = sign < 0 ? edge : -edge; // enter from the side it moves away from
    if (vX === 0) vX = -Math.sign(X) * 0.05 * s;
  } else {
    Z = uniform(rng, 4, 22);
    X = uniform(rng, -0.9, 0.9) * halfFov(cfg, Z);
  }
  const base: [number, number, number] = isCar
    ? [[200, 40, 40], [40, 90, 200], [230, 230, 230], [30, 30, 30], [230, 190, 40], [60, 160, 80]][rng.int(6)] as [number, number, number]
    : [[240, 120, 60], [150, 60, 170], [60, 200, 200], [250, 210, 160]][rng.int(4)] as [number, number, number];
  const jitter = () => Math.round(uniform(rng, -20, 20));
  const color = base.map((v) => Math.min(255, Math.max(0, v + jitter()))) as [number, number, number];
  return { id: scene.nextId++, classId, X, Z, vX, vZ, w, h, color };
}

export function initSynthScene(cfg: SynthConfig, rng: Rng): SynthScene {
  const scene: SynthScene = { cfg, objects: [], facades: [], nextId: 1, travelled: 0 };
  const nF = cfg.buildings[0] + rng.int(cfg.buildings[1] - cfg.buildings[0] + 1);
  for (let i = 0; i < nF; i++) {
    const Z = uniform(rng, 15, Math.min(35, cfg.maxRange));
    const half = halfFov(cfg, Z);
    const width = uniform(rng, 0.15, 0.5) * 2 * half;
    const X0 = uniform(rng, -half - width / 2, half - width / 2);
    const tone = uniform(rng, 0.7, 1.1);
    scene.facades.push({
      Z, X0, X1: X0 + width, h: uniform(rng, 6, 15),
      color: [Math.min(255, 150 * tone), Math.min(255, 110 * tone), Math.min(255, 80 * tone)].map(Math.round) as [number, number, number],
      pitch: uniform(rng, 1.8, 3),
    });
  }
  const n0 = Math.min(cfg.maxObjects, cfg.initialObjects[0] + rng.int(cfg.initialObjects[1] - cfg.initialObjects[0] + 1));
  for (let i = 0; i < n0; i++) scene.objects.push(newObject(scene, rng, 'inside'));
  return scene;
}

/** True while any part of the object can project into the image and it is in the depth range. */
function alive(cfg: SynthConfig, o: SynthObject): boolean {
  if (o.Z < MIN_Z || o.Z > cfg.maxRange) return false;
  const half = halfFov(cfg, o.Z) + o.w / 2;
  // leaving: outside and moving further out
  if (o.X > half && o.vX >= 0) return false;
  if (o.X < -half && o.vX <= 0) return false;
  return Math.abs(o.X) <= half + Math.abs(o.vX) * 50; // entering objects may start just outside
}

/** Advance one raw frame: move objects and facades, drop objects that left, maybe spawn one. */
export function stepSynthScene(scene: SynthScene, rng: Rng): void {
  const cfg = scene.cfg;
  for (const o of scene.objects) { o.X += o.vX; o.Z += o.vZ - cfg.egoSpeed; }
  for (const f of scene.facades) f.Z -= cfg.egoSpeed;
  scene.travelled += cfg.egoSpeed;
  scene.objects = scene.objects.filter((o) => alive(cfg, o));
  scene.facades = scene.facades.filter((f) => f.Z > MIN_Z);
  if (scene.objects.length < cfg.maxObjects && rng.next() < cfg.spawnRate) {
    scene.objects.push(newObject(scene, rng, rng.next() < 0.7 ? 'border' : 'far'));
  }
}
