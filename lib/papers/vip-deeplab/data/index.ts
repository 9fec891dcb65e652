// ViP-DeepLab data: the seeded synthetic street-video generator (dense cityscapes-like and sparse
// semkitti-like), tensors/pairs for training, and readers/writers for the Cityscapes-DVPS and
// SemKITTI-DVPS file layouts.
export * from './types';
export * from './classes';
export * from './config';
export * from './generator';
export * from './tensors';
export { readDepthPng, writeDepthPng, readLabelPng, readRgbPng, DepthImage } from './files';
export * from './cityscapes-dvps';
export * from './semkitti-dvps';
export * from './scene';
export { renderSynthFrame } from './render';
export * from './suppression';
