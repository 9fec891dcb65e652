// collab-vision: the library behind the notebooks. Import from here in your own code:
//   import { backend, data, nn, train, metrics, viz } from 'collab-vision';
export * as backend from './backend';
export * as data from './data';
export * as nn from './nn';
export * as train from './train';
export * as metrics from './metrics';
export * as viz from './viz';
export * as util from './util';
export * as tour from './tour';
export * as papers from './papers';
export { initBackend } from './backend';
export * as tf from '@tensorflow/tfjs';
