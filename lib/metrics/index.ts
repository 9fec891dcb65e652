// lib/metrics: classification metrics and summaries over seeds.
export * from './classification';
export * from './stats';
