// Lookup-VNets (Deng & Zhang, "Deep Collective Learning"): learned per-channel lookup tables as the
// input code of a vision network, compressed colour spaces, and the three table-learning strategies.
export * from './codes';
export * from './init';
export * from './lookup';
export * from './models';
export * from './paper-models';
export * from './synthetic';
export * from './storage';
export * from './tiny-imagenet';
export * from './data';
export * from './strategies';
export * from './visual';
export * from './experiments';
export * from './plots';
export * from './paper-numbers';
export * from './claims';
export * from './lookup-tflayers';
