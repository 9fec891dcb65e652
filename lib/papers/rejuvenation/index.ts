// Chapter 5: Neural Rejuvenation (Qiao et al., CVPR 2019; thesis ch. 5).
export * from './liveness';
export * from './lambda';
export * from './utilization';
export * from './configs';
export * from './realloc';
export * from './net';
export * from './surgery';
export * from './trainer';
export * from './paper-numbers';
export * from './experiments';
export * from './plots';
export * from './slimming';
