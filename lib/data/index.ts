// lib/data: readers for the real file formats, the datasets shipped in data/, index-based
// splits and samplers, label noise, augmentation and batching into tensors.
export * from './types';
export * from './readers';
export * from './paths';
export * from './shipped';
export * from './external';
export * from './subset';
export * from './splits';
export * from './samplers';
export * from './label-noise';
export * from './augment';
export * from './transforms';
export * from './composites';
export * from './normalize';
export * from './batches';
