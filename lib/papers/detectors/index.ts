// Chapter 6 (DetectoRS): COCO tooling, synthetic scenes, the mini detector with SAC and RFP, runners.
export * as coco from './coco';
export * from './scenes';
export * from './boxes';
export * from './assign';
export * from './sac';
export * from './backbone';
export * from './rfp';
export * from './heads';
export * from './detector';
export * from './full-size';
export * from './experiments';
export * from './plots';
