// COCO instances/results JSON: reading, writing, validation errors that name the problem.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  categoryMaps, parseCocoDataset, parseCocoResults, readCocoDataset, readCocoResults, validateCocoDataset, writeCocoDataset, writeCocoResults,
  type CocoDataset, type CocoDetection,
} from '../lib/papers/detectors/coco';

function sample(): CocoDataset {
  return {
    images: [{ id: 1, width: 10, height: 8, file_name: 'a.png' }, { id: 2, width: 10, height: 8 }],
    categories: [{ id: 3, name: 'disc' }, { id: 7, name: 'square' }],
    annotations: [
      { id: 1, image_id: 1, category_id: 3, bbox: [1, 1, 2, 2], area: 4, iscrowd: 0, segmentation: [[1, 1, 1, 3, 3, 3, 3, 1]] },
      { id: 2, image_id: 2, category_id: 7, bbox: [0, 0, 10, 8], area: 80, iscrowd: 1, segmentation: { size: [8, 10], counts: [0, 80] } },
    ],
  };
}

describe('COCO JSON readers/writers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coco-io-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips an instances file and a results file through disk', () => {
    const ds = sample();
    const f = path.join(dir, 'inst.json');
    writeCocoDataset(f, ds);
    assert.deepEqual(readCocoDataset(f), ds);
    const dets: CocoDetection[] = [{ image_id: 1, category_id: 3, bbox: [1, 1, 2, 2.5], score: 0.75 }];
    const g = path.join(dir, 'res.json');
    writeCocoResults(g, dets);
    assert.deepEqual(readCocoResults(g, ds), dets);
  });

  it('contiguous label maps keep category order', () => {
    const m = categoryMaps(sample());
    assert.deepEqual(m.catIds, [3, 7]);
    assert.equal(m.labelOf.get(7), 1);
    assert.deepEqual(m.names, ['disc', 'square']);
  });

  it('missing fields are named', () => {
    const ds = sample() as unknown as { annotations: Record<string, unknown>[] };
    delete ds.annotations[0].area;
    delete ds.annotations[1].iscrowd;
    assert.throws(() => validateCocoDataset(ds), (e: Error) => /annotations\[0\] \(id 1\): missing field 'area'/.test(e.message) && /annotations\[1\] \(id 2\): missing field 'iscrowd'/.test(e.message) && /2 problem\(s\)/.test(e.message));
    assert.throws(() => parseCocoDataset('{"images": []}'), /missing or non-array top-level field 'annotations'/);
    assert.throws(() => parseCocoDataset('[1, 2]'), /got an array \(a results file\?\)/);
    assert.throws(() => parseCocoDataset('{oops'), /not valid JSON/);
  });

  it('unknown image/category ids and duplicate ids are named', () => {
    const ds = sample();
    ds.annotations[0].image_id = 42;
    ds.annotations[1].category_id = 99;
    ds.annotations[1].id = 1;
    assert.throws(() => validateCocoDataset(ds), (e: Error) => /unknown image_id 42/.test(e.message) && /unknown category_id 99/.test(e.message) && /duplicate annotation id 1/.test(e.message));
  });

  it('bad boxes, areas, iscrowd and segmentations are named', () => {
    const ds = sample();
    (ds.annotations[0] as unknown as { bbox: number[] }).bbox = [1, 2, 3];
    ds.annotations[1].bbox = [5, 5, -2, 3];
    assert.throws(() => validateCocoDataset(ds), (e: Error) => /bbox must be \[x, y, w, h\] \(4 numbers\)/.test(e.message) && /negative width\/height/.test(e.message));
    const ds2 = sample();
    ds2.annotations[0].area = -1;
    (ds2.annotations[1] as unknown as { iscrowd: number }).iscrowd = 2;
    ds2.annotations[1].segmentation = { size: [8, 10], counts: [0, 79] };
    assert.throws(() => validateCocoDataset(ds2), (e: Error) => /'area' must be a non-negative number/.test(e.message) && /'iscrowd' must be 0 or 1/.test(e.message) && /counts sum to 79, expected height\*width = 80/.test(e.message));
    const ds3 = sample();
    ds3.annotations[0].segmentation = [[1, 1, 2, 2]];
    ds3.annotations[1].segmentation = { size: [9, 10], counts: 'abc' };
    assert.throws(() => validateCocoDataset(ds3), (e: Error) => /polygon needs an even number >= 6/.test(e.message) && /RLE size \[9,10\] differs from its image's \[height, width\] \[8,10\]/.test(e.message));
  });

  it('results: unknown ids, bad scores and boxes are named; a missing file is named', () => {
    const ds = sample();
    assert.throws(() => parseCocoResults([{ image_id: 5, category_id: 3, bbox: [0, 0, 1, 1], score: 0.5 }], ds), /results\[0\]: unknown image_id 5/);
    assert.throws(() => parseCocoResults([{ image_id: 1, category_id: 3, bbox: [0, 0, 1, 1], score: 'high' }], ds), /score must be a finite number/);
    assert.throws(() => parseCocoResults([{ image_id: 1, category_id: 3, score: 0.1 }], ds), /needs 'bbox'/);
    assert.throws(() => parseCocoResults({ images: [] }), /got an object \(an instances file\?\)/);
    assert.throws(() => readCocoResults(path.join(dir, 'nope.json')), /file not found: .*nope\.json/);
  });
});
