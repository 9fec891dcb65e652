export * from './init';
