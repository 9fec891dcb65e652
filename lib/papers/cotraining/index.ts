// Deep Co-Training (Qiao et al. ECCV 2018; Qiao thesis ch. 3): losses, FGSM view difference,
// schedules, bundles of data streams, multi-view pairing, views, the trainer and experiment runners.
export * from './losses';
export * from './fgsm';
export * from './schedules';
export * from './streams';
export * from './moons';
export * from './models';
export * from './data';
export * from './augment';
export * from './trainer';
export * from './experiments';
export * from './plots';
