// Structural validation of COCO instances and results JSON. Collects every problem (up to a cap)
// and throws one error naming each: which array, which index/id, which field, what was wrong.
import type { CocoAnnotation, CocoDataset, CocoDetection, RleObj, Segmentation } from './types';

const MAX_LISTED = 12;

class Problems {
  list: string[] = [];
  constructor(private readonly what: string) {}
  add(msg: string) { this.list.push(msg); }
  throwIfAny() {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, MAX_LISTED).map((m) => `  - ${m}`).join('\n');
    const more = this.list.length > MAX_LISTED ? `\n  ... and ${this.list.length - MAX_LISTED} more` : '';
    throw new Error(`${this.what}: ${this.list.length} problem(s):\n${shown}${more}`);
  }
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function checkBbox(p: Problems, where: string, b: unknown): void {
  if (!Array.isArray(b) || b.length !== 4) { p.add(`${where}: bbox must be [x, y, w, h] (4 numbers), got ${JSON.stringify(b)}`); return; }
  if (!b.every(isNum)) { p.add(`${where}: bbox has a non-finite entry: ${JSON.stringify(b)}`); return; }
  if (b[2] < 0 || b[3] < 0) p.add(`${where}: bbox has negative width/height: ${JSON.stringify(b)} (COCO boxes are [x, y, w, h], not [x1, y1, x2, y2])`);
}

function checkRle(p: Problems, where: string, r: Record<string, unknown>, hw?: [number, number]): void {
  const size = r.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && (v as number) >= 0)) {
    p.add(`${where}: RLE size must be [height, width] (non-negative integers), got ${JSON.stringify(size)}`); return;
  }
  if (hw && (size[0] !== hw[0] || size[1] !== hw[1])) p.add(`${where}: RLE size [${size}] differs from its image's [height, width] [${hw}]`);
  const c = r.counts;
  if (typeof c === 'string') return;
  if (!Array.isArray(c) || !c.every((v) => Number.isInteger(v) && (v as number) >= 0)) { p.add(`${where}: RLE counts must be a string or a list of non-negative integers`); return; }
  const total = (c as number[]).reduce((a, v) => a + v, 0);
  if (total !== size[0] * size[1]) p.add(`${where}: uncompressed RLE counts sum to ${total}, expected height*width = ${size[0] * size[1]}`);
}

function checkSegmentation(p: Problems, where: string, s: unknown, hw?: [number, number]): void {
  if (Array.isArray(s)) {
    s.forEach((poly, j) => {
      if (!Array.isArray(poly) || !poly.every(isNum)) p.add(`${where}: segmentation[${j}] must be a flat list of numbers [x0, y0, x1, y1, ...]`);
      else if (poly.length < 6 || poly.length % 2 !== 0) p.add(`${where}: segmentation[${j}] polygon needs an even number >= 6 of coordinates, got ${poly.length}`);
    });
  } else if (isObj(s)) checkRle(p, `${where}: segmentation`, s, hw);
  else p.add(`${where}: segmentation must be a polygon list or an RLE {size, counts}`);
}

/**
 * Checks a parsed COCO instances object and returns it typed. Errors name the problem: missing
 * top-level arrays or fields, duplicate ids, annotations pointing to unknown image/category ids,
 * malformed boxes, areas, iscrowd flags and segmentations.
 */
export function validateCocoDataset(obj: unknown, source = 'COCO dataset'): CocoDataset {
  const p = new Problems(source);
  if (!isObj(obj)) throw new Error(`${source}: expected a JSON object with images, annotations, categories; got ${Array.isArray(obj) ? 'an array (a results file?)' : typeof obj}`);
  for (const key of ['images', 'annotations', 'categories']) {
    if (!Array.isArray(obj[key])) p.add(`missing or non-array top-level field '${key}'`);
  }
  p.throwIfAny();
  const images = obj.images as unknown[], anns = obj.annotations as unknown[], cats = obj.categories as unknown[];
  const imgHW = new Map<number, [number, number]>();
  images.forEach((im, i) => {
    const w = `images[${i}]`;
    if (!isObj(im)) { p.add(`${w}: not an object`); return; }
    if (!Number.isInteger(im.id)) { p.add(`${w}: missing integer field 'id'`); return; }
    const id = im.id as number;
    if (imgHW.has(id)) p.add(`${w}: duplicate image id ${id}`);
    for (const f of ['width', 'height']) if (!(Number.isInteger(im[f]) && (im[f] as number) > 0)) p.add(`${w} (id ${id}): missing or non-positive integer field '${f}'`);
    imgHW.set(id, [im.height as number, im.width as number]);
  });
  const catIds = new Set<number>();
  cats.forEach((c, i) => {
    const w = `categories[${i}]`;
    if (!isObj(c)) { p.add(`${w}: not an object`); return; }
    if (!Number.isInteger(c.id)) { p.add(`${w}: missing integer field 'id'`); return; }
    if (catIds.has(c.id as number)) p.add(`${w}: duplicate category id ${c.id}`);
    if (typeof c.name !== 'string') p.add(`${w} (id ${c.id}): missing string field 'name'`);
    catIds.add(c.id as number);
  });
  const annIds = new Set<number>();
  anns.forEach((a, i) => {
    if (!isObj(a)) { p.add(`annotations[${i}]: not an object`); return; }
    const w = `annotations[${i}]${Number.isInteger(a.id) ? ` (id ${a.id})` : ''}`;
    for (const f of ['id', 'image_id', 'category_id', 'bbox', 'area', 'iscrowd']) if (!(f in a)) p.add(`${w}: missing field '${f}'`);
    if ('id' in a) {
      if (!Number.isInteger(a.id)) p.add(`${w}: 'id' must be an integer`);
      else if (annIds.has(a.id as number)) p.add(`${w}: duplicate annotation id ${a.id}`);
      else annIds.add(a.id as number);
    }
    if ('image_id' in a && !imgHW.has(a.image_id as number)) p.add(`${w}: unknown image_id ${JSON.stringify(a.image_id)}`);
    if ('category_id' in a && !catIds.has(a.category_id as number)) p.add(`${w}: unknown category_id ${JSON.stringify(a.category_id)}`);
    if ('bbox' in a) checkBbox(p, w, a.bbox);
    if ('area' in a && !(isNum(a.area) && a.area >= 0)) p.add(`${w}: 'area' must be a non-negative number, got ${JSON.stringify(a.area)}`);
    if ('iscrowd' in a && a.iscrowd !== 0 && a.iscrowd !== 1) p.add(`${w}: 'iscrowd' must be 0 or 1, got ${JSON.stringify(a.iscrowd)}`);
    if (a.segmentation !== undefined) checkSegmentation(p, w, a.segmentation, imgHW.get(a.image_id as number));
    if (a.iscrowd === 1 && a.segmentation !== undefined && Array.isArray(a.segmentation)) p.add(`${w}: crowd annotations (iscrowd=1) must use an RLE segmentation, not polygons`);
  });
  p.throwIfAny();
  return obj as unknown as CocoDataset;
}

/**
 * Checks a parsed COCO results list (detections). With `gt`, also checks every image_id and
 * category_id exists there (pycocotools' loadRes asserts the image ids).
 */
export function validateCocoResults(obj: unknown, gt?: CocoDataset, source = 'COCO results'): CocoDetection[] {
  if (!Array.isArray(obj)) throw new Error(`${source}: expected a JSON array of detections {image_id, category_id, bbox, score}; got ${isObj(obj) ? 'an object (an instances file?)' : typeof obj}`);
  const p = new Problems(source);
  const imgIds = gt ? new Set(gt.images.map((im) => im.id)) : null;
  const catIds = gt ? new Set(gt.categories.map((c) => c.id)) : null;
  const hw = gt ? new Map(gt.images.map((im) => [im.id, [im.height, im.width] as [number, number]])) : null;
  obj.forEach((d, i) => {
    const w = `results[${i}]`;
    if (!isObj(d)) { p.add(`${w}: not an object`); return; }
    for (const f of ['image_id', 'category_id', 'score']) if (!(f in d)) p.add(`${w}: missing field '${f}'`);
    if (!('bbox' in d) && !('segmentation' in d)) p.add(`${w}: needs 'bbox' (box results) or 'segmentation' (mask results)`);
    if ('image_id' in d && !Number.isInteger(d.image_id)) p.add(`${w}: image_id must be an integer`);
    else if (imgIds && 'image_id' in d && !imgIds.has(d.image_id as number)) p.add(`${w}: unknown image_id ${d.image_id} (not in the ground-truth images)`);
    if ('category_id' in d && !Number.isInteger(d.category_id)) p.add(`${w}: category_id must be an integer`);
    else if (catIds && 'category_id' in d && !catIds.has(d.category_id as number)) p.add(`${w}: unknown category_id ${d.category_id}`);
    if ('score' in d && !isNum(d.score)) p.add(`${w}: score must be a finite number, got ${JSON.stringify(d.score)}`);
    if ('bbox' in d) checkBbox(p, w, d.bbox);
    if ('segmentation' in d) {
      if (!isObj(d.segmentation)) p.add(`${w}: result segmentation must be an RLE {size, counts}`);
      else checkRle(p, `${w}: segmentation`, d.segmentation, hw?.get(d.image_id as number));
    }
  });
  p.throwIfAny();
  return obj as CocoDetection[];
}

/** True for an RLE object (vs a polygon list). */
export function isRleObj(s: Segmentation | undefined): s is RleObj {
  return !!s && !Array.isArray(s) && typeof s === 'object' && 'counts' in s;
}

/** Annotations grouped by image id (images without annotations get an empty list). */
export function annotationsByImage(ds: CocoDataset): Map<number, CocoAnnotation[]> {
  const m = new Map<number, CocoAnnotation[]>();
  for (const im of ds.images) m.set(im.id, []);
  for (const a of ds.annotations) {
    const l = m.get(a.image_id);
    if (!l) throw new Error(`annotation ${a.id}: unknown image_id ${a.image_id}`);
    l.push(a);
  }
  return m;
}
