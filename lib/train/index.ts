// lib/train: optimisers (PyTorch semantics), schedules, one training step over chosen variables,
// the fit loop, evaluation, atomic checkpoints, seeded experiment records, parallel runs.
export * from './optimizers';
export * from './step';
export * from './schedules';
export * from './evaluate';
export * from './fit';
export * from './progress';
export * from './checkpoint';
export * from './experiment';
export * from './parallel';
