// One namespace per paper: `import { papers } from 'collab-vision'; papers.dcl.dclDense(...)`.
export * as dcl from './dcl';
export * as lookupVnets from './lookup-vnets';
export * as intraCollab from './intra-collab';
export * as fewshot from './fewshot';
export * as cotraining from './cotraining';
export * as gunn from './gunn';
export * as rejuvenation from './rejuvenation';
export * as vipDeeplab from './vip-deeplab';
export * as detectors from './detectors';
