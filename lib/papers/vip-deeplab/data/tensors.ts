// From synthetic/real frames to training tensors, frame pairs and a joint horizontal flip.
import * as tf from '@tensorflow/tfjs';
import { DvpsFrame, DvpsSequenceBase } from './types';

/** 'deeplab': x / 127.5 - 1 (deeplab2, spec §2.2); 'unit': x / 255; 'none': 0..255 floats. */
export type ImageNormalization = 'deeplab' | 'unit' | 'none';

export interface FrameTensors {
  /** [N, H, W, 3] float32. */
  image: tf.Tensor4D;
  /** [N, H, W] int32 class ids (void = the dataset's void id). */
  semantic: tf.Tensor3D;
  /** [N, H, W] int32 panoptic ids. */
  panoptic: tf.Tensor3D;
  /** [N, H, W, 1] float32 metres, 0 = invalid. */
  depth: tf.Tensor4D;
}

/** Flat images of several frames as one Float32Array [N*H*W*3], normalised. */
export function imagesToFloat(frames: DvpsFrame[], normalize: ImageNormalization = 'deeplab'): Float32Array {
  if (frames.length === 0) throw new Error('imagesToFloat: no frames');
  const n = frames[0].image.length;
  const out = new Float32Array(frames.length * n);
  const [a, b] = normalize === 'deeplab' ? [1 / 127.5, -1] : normalize === 'unit' ? [1 / 255, 0] : normalize === 'none' ? [1, 0] : [NaN, NaN];
  if (Number.isNaN(a)) throw new Error(`imagesToFloat: unknown normalization '${normalize}' (use deeplab, unit or none)`);
  frames.forEach((f, k) => {
    if (f.image.length !== n) throw new Error(`imagesToFloat: frame ${k} has ${f.image.length} image values, frame 0 has ${n}`);
    for (let i = 0; i < n; i++) out[k * n + i] = f.image[i] * a + b;
  });
  return out;
}

/** Stack frames of equal size H x W into tensors (caller disposes). */
export function framesToTensors(frames: DvpsFrame[], H: number, W: number, normalize: ImageNormalization = 'deeplab'): FrameTensors {
  if (frames.length === 0) throw new Error('framesToTensors: no frames');
  const n = H * W, N = frames.length;
  frames.forEach((f, k) => {
    if (f.semantic.length !== n || f.panoptic.length !== n || f.depth.length !== n || f.image.length !== 3 * n) {
      throw new Error(`framesToTensors: frame ${k} does not have ${H}x${W} pixels (semantic ${f.semantic.length}, image ${f.image.length / 3})`);
    }
  });
  const sem = new Int32Array(N * n), pan = new Int32Array(N * n), dep = new Float32Array(N * n);
  frames.forEach((f, k) => { sem.set(f.semantic, k * n); pan.set(f.panoptic, k * n); dep.set(f.depth, k * n); });
  return {
    image: tf.tensor4d(imagesToFloat(frames, normalize), [N, H, W, 3]),
    semantic: tf.tensor3d(sem, [N, H, W], 'int32'),
    panoptic: tf.tensor3d(pan, [N, H, W], 'int32'),
    depth: tf.tensor4d(dep, [N, H, W, 1]),
  };
}

export interface FramePairRef { seq: number; t: number }

/** Every consecutive annotated pair (t, t+1) of every sequence. */
export function consecutivePairs(sequences: DvpsSequenceBase[]): FramePairRef[] {
  const out: FramePairRef[] = [];
  sequences.forEach((s, seq) => { for (let t = 0; t + 1 < s.frames.length; t++) out.push({ seq, t }); });
  return out;
}

/** Mirror a frame left-right (image, labels, depth); ids are unchanged, so pairs stay consistent. */
export function flipFrame(frame: DvpsFrame, H: number, W: number): DvpsFrame {
  if (frame.semantic.length !== H * W) throw new Error(`flipFrame: frame has ${frame.semantic.length} pixels, expected ${H}x${W}`);
  const flip1 = <T extends Int32Array | Float32Array>(a: T): T => {
    const o = new (a.constructor as { new(n: number): T })(a.length);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) o[y * W + x] = a[y * W + (W - 1 - x)];
    return o;
  };
  const image = new Uint8Array(frame.image.length);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) image[(y * W + x) * 3 + c] = frame.image[(y * W + W - 1 - x) * 3 + c];
  return {
    index: frame.index, image, semantic: flip1(frame.semantic), instance: flip1(frame.instance), panoptic: flip1(frame.panoptic),
    depth: flip1(frame.depth), denseDepth: frame.denseDepth ? flip1(frame.denseDepth) : undefined,
  };
}
