export * from './fashion-cnn';
