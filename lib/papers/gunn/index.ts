// Chapter 4: Gradually Updated Neural Networks (GUNN, ICML 2018).
export * from './config';
export * from './count';
export * from './unit';
export * from './layer';
export * from './net';
export * from './receptive-field';
export * from './singularity';
export * from './experiments';
