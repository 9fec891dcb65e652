// Read/write COCO instances and results JSON (validated on the way in).
import * as fs from 'fs';
import type { CocoDataset, CocoDetection } from './types';
import { validateCocoDataset, validateCocoResults } from './validate';

function readJson(path: string, what: string): unknown {
  if (!fs.existsSync(path)) throw new Error(`${what}: file not found: ${path}`);
  const text = fs.readFileSync(path, 'utf8');
  try { return JSON.parse(text); } catch (e) { throw new Error(`${what}: ${path} is not valid JSON (${(e as Error).message})`); }
}

/** Parses (if a string) and validates a COCO instances object. */
export function parseCocoDataset(json: string | unknown, source = 'COCO dataset'): CocoDataset {
  let obj = json;
  if (typeof json === 'string') {
    try { obj = JSON.parse(json); } catch (e) { throw new Error(`${source}: not valid JSON (${(e as Error).message})`); }
  }
  return validateCocoDataset(obj, source);
}

export function readCocoDataset(path: string): CocoDataset {
  return validateCocoDataset(readJson(path, 'readCocoDataset'), `COCO dataset ${path}`);
}

/** COCO instances JSON text (compact; `indent` for humans). */
export function cocoDatasetToJson(ds: CocoDataset, indent?: number): string {
  validateCocoDataset(ds, 'cocoDatasetToJson');
  return JSON.stringify(ds, null, indent);
}

export function writeCocoDataset(path: string, ds: CocoDataset, indent?: number): void {
  fs.writeFileSync(path, cocoDatasetToJson(ds, indent));
}

/** Parses (if a string) and validates a COCO results list; with `gt`, ids are checked against it. */
export function parseCocoResults(json: string | unknown, gt?: CocoDataset, source = 'COCO results'): CocoDetection[] {
  let obj = json;
  if (typeof json === 'string') {
    try { obj = JSON.parse(json); } catch (e) { throw new Error(`${source}: not valid JSON (${(e as Error).message})`); }
  }
  return validateCocoResults(obj, gt, source);
}

export function readCocoResults(path: string, gt?: CocoDataset): CocoDetection[] {
  return validateCocoResults(readJson(path, 'readCocoResults'), gt, `COCO results ${path}`);
}

export function cocoResultsToJson(dets: CocoDetection[], indent?: number): string {
  validateCocoResults(dets, undefined, 'cocoResultsToJson');
  return JSON.stringify(dets, null, indent);
}

export function writeCocoResults(path: string, dets: CocoDetection[], indent?: number): void {
  fs.writeFileSync(path, cocoResultsToJson(dets, indent));
}

/** Contiguous label <-> COCO category id maps (COCO ids are non-contiguous, e.g. 1..90), in category order. */
export function categoryMaps(ds: CocoDataset): { catIds: number[]; labelOf: Map<number, number>; names: string[] } {
  const catIds = ds.categories.map((c) => c.id);
  return { catIds, labelOf: new Map(catIds.map((id, i) => [id, i])), names: ds.categories.map((c) => c.name) };
}
