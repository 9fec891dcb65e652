// The same lookup as a tf.layers.Layer, for users who build tfjs LayersModels (model.fit, save/load):
//   const inp = tf.input({ shape: [32, 32, 3], dtype: 'int32' });
//   const x = new LookupInputLayer({ dim: 1 }).apply(inp); ... tf.model({ inputs: inp, outputs })
// The project's own runners use the plain-object layer of lookup.ts; both share lookupIndices and its
// exact scatter-add gradient (no UnsortedSegmentSum needed on wasm).
import * as tf from '@tensorflow/tfjs';
import { numEntries } from './codes';
import { initTableValues, type TableInitKind } from './init';
import { lookupIndices, quantize } from './lookup';

export interface LookupInputLayerArgs {
  channels?: number;
  dim?: number;
  cmpRate?: number;
  init?: TableInitKind;
  seed?: number;
  mean?: number[];
  std?: number[];
  trainable?: boolean;
  name?: string;
}

export class LookupInputLayer extends tf.layers.Layer {
  static className = 'LookupInput';
  readonly channels: number;
  readonly dim: number;
  readonly cmpRate: number;
  readonly entries: number;
  private readonly initKind: TableInitKind;
  private readonly cfg: LookupInputLayerArgs;
  private table: tf.LayerVariable | null = null;

  constructor(args: LookupInputLayerArgs = {}) {
    super({ name: args.name, trainable: args.trainable ?? true, dtype: 'float32' });
    this.cfg = { ...args };
    this.channels = args.channels ?? 3;
    this.dim = args.dim ?? 1;
    this.cmpRate = args.cmpRate ?? 1;
    this.entries = numEntries(this.cmpRate);
    this.initKind = args.init ?? 'linspace';
    if (this.cmpRate > 1 && this.dim > 1) throw new Error(`LookupInputLayer: compressed tables hold scalars (dim must be 1 when cmpRate = ${this.cmpRate})`);
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (s.length !== 4 || s[3] !== this.channels) {
      throw new Error(`LookupInputLayer: expected input [N, H, W, ${this.channels}], got [${s.join(', ')}]`);
    }
    const values = initTableValues(this.initKind, this.entries, this.dim, this.channels, { cmpRate: this.cmpRate, seed: this.cfg.seed, mean: this.cfg.mean, std: this.cfg.std });
    this.table = this.addWeight('table', [this.channels * this.entries, this.dim], 'float32', tf.initializers.zeros());
    const t = tf.tensor2d(values, [this.channels * this.entries, this.dim]);
    this.table.write(t);
    t.dispose();
    this.built = true;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], s[1], s[2], this.channels * this.dim];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const xi = x.dtype === 'int32' ? x : tf.cast(tf.round(x), 'int32');
      return lookupIndices(quantize(xi, this.cmpRate), this.table!.read(), this.entries);
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), channels: this.channels, dim: this.dim, cmpRate: this.cmpRate, init: this.initKind, seed: this.cfg.seed ?? 0 };
  }
}
tf.serialization.registerClass(LookupInputLayer);
