// Defaults and validation of SynthConfig (spec §5.3; deviations marked (D)).
import { SynthConfig, SynthMode } from './types';

const MODES: SynthMode[] = ['cityscapes-like', 'semkitti-like'];

export function synthConfig(over: Partial<SynthConfig> = {}): SynthConfig {
  for (const k of Object.keys(over)) {
    if (!(k in DEFAULT_KEYS)) throw new Error(`synthConfig: unknown option '${k}' (known: ${Object.keys(DEFAULT_KEYS).join(', ')})`);
  }
  const mode = over.mode ?? 'cityscapes-like';
  if (!MODES.includes(mode)) throw new Error(`synthConfig: unknown mode '${mode}' (use ${MODES.join(' or ')})`);
  const height = over.height ?? 64, width = over.width ?? 64;
  const sparse = mode === 'semkitti-like';
  const c: SynthConfig = {
    height, width, mode,
    numFrames: over.numFrames ?? (sparse ? 24 : 6),
    frameGap: over.frameGap ?? (sparse ? 1 : 5),
    focal: over.focal ?? height,
    horizon: over.horizon ?? Math.round(0.375 * height),
    cameraHeight: over.cameraHeight ?? 1.5,
    maxRange: over.maxRange ?? 35,
    speed: over.speed ?? 1,
    egoSpeed: over.egoSpeed ?? 0,
    initialObjects: over.initialObjects ?? [2, 5],
    spawnRate: over.spawnRate ?? 0.06,
    maxObjects: over.maxObjects ?? 8,
    carFraction: over.carFraction ?? 0.65,
    buildings: over.buildings ?? [1, 3],
    voidBorder: over.voidBorder ?? 0,
    numBeams: over.numBeams ?? 16,
    pointDropout: over.pointDropout ?? 0.15,
    noise: over.noise ?? 4,
  };
  const bad = (m: string) => { throw new Error(`synthConfig: ${m}`); };
  const posInt = (v: number, n: string, min = 1) => { if (!Number.isInteger(v) || v < min) bad(`${n} must be an integer >= ${min}, got ${v}`); };
  posInt(c.height, 'height', 8); posInt(c.width, 'width', 8); posInt(c.numFrames, 'numFrames'); posInt(c.frameGap, 'frameGap');
  posInt(c.maxObjects, 'maxObjects', 0); posInt(c.numBeams, 'numBeams'); posInt(c.voidBorder, 'voidBorder', 0);
  if (!(c.focal > 0)) bad(`focal must be > 0, got ${c.focal}`);
  if (!(c.horizon >= 0 && c.horizon < c.height)) bad(`horizon row must be in [0, ${c.height}), got ${c.horizon}`);
  if (!(c.cameraHeight > 0)) bad(`cameraHeight must be > 0, got ${c.cameraHeight}`);
  if (!(c.maxRange > 3)) bad(`maxRange must be > 3 m, got ${c.maxRange}`);
  if (!(c.speed >= 0) || !Number.isFinite(c.speed)) bad(`speed must be a finite number >= 0, got ${c.speed}`);
  if (!Number.isFinite(c.egoSpeed) || c.egoSpeed < 0) bad(`egoSpeed must be >= 0, got ${c.egoSpeed}`);
  const range = (r: [number, number], n: string) => {
    if (!Array.isArray(r) || r.length !== 2 || !Number.isInteger(r[0]) || !Number.isInteger(r[1]) || r[0] < 0 || r[1] < r[0]) bad(`${n} must be [min, max] integers with 0 <= min <= max, got ${JSON.stringify(r)}`);
  };
  range(c.initialObjects, 'initialObjects'); range(c.buildings, 'buildings');
  for (const [v, n] of [[c.spawnRate, 'spawnRate'], [c.carFraction, 'carFraction'], [c.pointDropout, 'pointDropout']] as [number, string][]) {
    if (!(v >= 0 && v <= 1)) bad(`${n} must be in [0, 1], got ${v}`);
  }
  if (!(c.noise >= 0)) bad(`noise must be >= 0, got ${c.noise}`);
  if (2 * c.voidBorder >= Math.min(c.height, c.width)) bad(`voidBorder ${c.voidBorder} leaves no labelled pixel`);
  return c;
}

const DEFAULT_KEYS: Record<keyof SynthConfig, true> = {
  height: true, width: true, mode: true, numFrames: true, frameGap: true, focal: true, horizon: true,
  cameraHeight: true, maxRange: true, speed: true, egoSpeed: true, initialObjects: true, spawnRate: true,
  maxObjects: true, carFraction: true, buildings: true, voidBorder: true, numBeams: true, pointDropout: true, noise: true,
};
