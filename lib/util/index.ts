export * from './random';
export * from './quick';
