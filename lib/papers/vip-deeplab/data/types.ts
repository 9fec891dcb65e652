// Types of the synthetic DVPS generator and of the real-dataset readers. Every map is flat row-major
// [H*W] (images [H*W*3] RGB uint8), so they can go straight into Int32/Float32 tensors.

/**
 * - 'cityscapes-like': dense labels; render (numFrames-1)*frameGap+1 raw frames and keep every
 *   frameGap-th (default 6 annotated frames, gap 5 -> large inter-frame motion), k in {1,2,3,4}.
 * - 'semkitti-like': consecutive frames (gap 1), labels and depth only on simulated LiDAR rows
 *   (numBeams rows between the horizon and the bottom, pointDropout random drop); all else void / 0.
 */
export type SynthMode = 'cityscapes-like' | 'semkitti-like';

export interface SynthConfig {
  height: number;
  width: number;
  mode: SynthMode;
  /** Annotated frames per sequence (default 6 cityscapes-like, 24 semkitti-like). */
  numFrames: number;
  /** Raw frames between annotated frames (default 5 cityscapes-like, 1 semkitti-like). */
  frameGap: number;
  /** Focal length in px (default = height, i.e. 64 for 64-px frames as in the spec). */
  focal: number;
  /** Horizon row (default round(0.375 * height): 24 for 64 rows). */
  horizon: number;
  /** Camera height above the road in metres (1.5). */
  cameraHeight: number;
  /** Depth beyond this is invalid (0): far road, sky (35 m). */
  maxRange: number;
  /** Multiplies every object velocity (1 = the spec's ranges; 0 = static objects). */
  speed: number;
  /** Camera forward motion in m per raw frame (0). */
  egoSpeed: number;
  /** Objects present at the first frame, drawn uniformly in [min, max]. */
  initialObjects: [number, number];
  /** Probability per raw frame that a new object spawns (at a border or far away). */
  spawnRate: number;
  /** Upper bound on simultaneously alive objects. */
  maxObjects: number;
  /** Probability that a new object is a car (else a person). */
  carFraction: number;
  /** Number of building facades, drawn in [min, max]. */
  buildings: [number, number];
  /** Void band of this many pixels at the image border (0 = none). */
  voidBorder: number;
  /** Semkitti-like mode: LiDAR rows and point dropout. */
  numBeams: number;
  pointDropout: number;
  /** Std of per-pixel RGB noise (0-255 units). */
  noise: number;
}

export interface DvpsFrame {
  /** Raw frame index in the rendered video (annotated frames are every frameGap-th). */
  index: number;
  /** RGB uint8 [H*W*3]. */
  image: Uint8Array;
  /** Class id per pixel, SYNTH_VOID (or the dataset's void) where unlabelled. */
  semantic: Int32Array;
  /** Instance id per pixel, 0 for stuff/void; temporally consistent, never reused in a sequence. */
  instance: Int32Array;
  /** semantic * labelDivisor + instance (void pixels: void * labelDivisor). */
  panoptic: Int32Array;
  /** Depth in metres, 0 = invalid (sky, beyond range, or not sampled in sparse mode). */
  depth: Float32Array;
  /** The dense rendered depth (= depth in dense mode); handy for plots of sparse frames. */
  denseDepth?: Float32Array;
}

export interface TrackInfo {
  /** Instance id (also the panoptic id's instance part). */
  id: number;
  classId: number;
  /** First and last annotated frame (index into frames) where at least one pixel is visible. */
  firstFrame: number;
  lastFrame: number;
  /** Mean |displacement| of the visible mask centroid between consecutive annotated frames, px. */
  meanSpeedPx: number;
}

/** What both the synthetic generator and the real-dataset readers return. */
export interface DvpsSequenceBase {
  name: string;
  height: number;
  width: number;
  /** Panoptic id = semantic * labelDivisor + instance. */
  labelDivisor: number;
  /** Semantic id of void pixels. */
  voidId: number;
  frames: DvpsFrame[];
}

export interface DvpsSequence extends DvpsSequenceBase {
  seed: number;
  /** Pinhole intrinsics (px) for point-cloud plots: x = (u - cx) * d / focal. */
  focal: number;
  cx: number;
  cy: number;
  config: SynthConfig;
  tracks: TrackInfo[];
}
