// Deep Collaborative Learning (Wang, Xie, Zhang, Zhang, Yuille 2017): the DCL module, its
// complexity formulas, the paper's networks, the multi-digit benchmark and the experiment runners.
export * from './module';
export * from './complexity';
export * from './arch';
export * from './multidigit';
export * from './sources';
export * from './models';
export * from './experiments';
export * from './plots';
