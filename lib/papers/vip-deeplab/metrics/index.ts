// ViP-DeepLab evaluation: PQ, VPQ^k, DVPQ^k_lambda exactly as the authors' eval_dvpq.py, and the
// KITTI/Eigen depth metrics. Plain TS over Int32Array panoptic maps and Float32Array depth maps.
export * from './types';
export * from './config';
export * from './pq-stats';
export * from './pq-summary';
export * from './depth-filter';
export * from './vpq';
export * from './dvpq';
export * from './depth-metrics';
export * from './mots';
