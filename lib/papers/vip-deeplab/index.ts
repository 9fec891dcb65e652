// Chapter 7: ViP-DeepLab, depth-aware video panoptic segmentation (CVPR 2021).
export * from './targets';
export * from './postprocess';
export * from './pair';
export * from './stitch';
export * from './losses';
export * from './model';
export * from './metrics';
export * from './train';
export * from './data';
export * from './experiments';
export * from './viz';
