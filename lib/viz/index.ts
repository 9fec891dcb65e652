// lib/viz: vega-lite v5 spec builders (plain functions returning JSON specs), headless SVG
// rendering, notebook display (vega-lite + SVG in one output, live-updating charts) and danfojs
// result tables.
export * from './spec';
export * from './stats';
export * from './curves';
export * from './bars';
export * from './heatmap';
export * from './compose';
export * from './images';
export * from './png';
export * from './render';
export * from './kernel';
export * from './show';
export * from './tables';
