// Convolution geometry shared by the gradient algorithms: strides, dilations and the four
// explicit paddings, resolved once from tfjs's own rules (computeConv2DInfo) so 'same',
// 'valid', explicit pads and dimRoundingMode mean exactly what they mean in tfjs-core.
import * as tf from '@tensorflow/tfjs';

export type PadSpec = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
export type ExplicitPads = [[number, number], [number, number], [number, number], [number, number]];

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export function pair(v: number | [number, number] | undefined, name: string): [number, number] {
  if (v === undefined) return [1, 1];
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`${name} must be positive integers, got ${JSON.stringify(v)}`);
  return p;
}

/** tfjs accepts a number pad only for explicit symmetric padding in some ops; normalise it. */
export function normalisePad(pad: PadSpec): 'same' | 'valid' | ExplicitPads {
  if (typeof pad === 'number') {
    if (!Number.isInteger(pad) || pad < 0) throw new Error(`pad must be a non-negative integer, got ${pad}`);
    return [[0, 0], [pad, pad], [pad, pad], [0, 0]];
  }
  if (pad === 'same' || pad === 'valid') return pad;
  if (Array.isArray(pad) && pad.length === 4) return pad;
  throw new Error(`Unknown pad ${JSON.stringify(pad)}: use 'same', 'valid', a number or [[0,0],[t,b],[l,r],[0,0]]`);
}

export function convGeometry(
  xShape: number[], filterShape: number[], strides: number | [number, number], pad: PadSpec | number,
  dilations: number | [number, number] = 1, dimRoundingMode?: 'floor' | 'round' | 'ceil', depthwise = false,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides, dilations, normalisePad(pad as PadSpec) as 'same' | 'valid', dimRoundingMode, depthwise, 'channelsLast');
  return {
    batch: info.batchSize, inHeight: info.inHeight, inWidth: info.inWidth, inChannels: info.inChannels,
    outHeight: info.outHeight, outWidth: info.outWidth, filterHeight: info.filterHeight, filterWidth: info.filterWidth,
    strideHeight: info.strideHeight, strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight, dilationWidth: info.dilationWidth,
    top: info.padInfo.top, bottom: info.padInfo.bottom, left: info.padInfo.left, right: info.padInfo.right,
  };
}
