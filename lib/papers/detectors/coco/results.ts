// Detector outputs -> COCO results entries, and GT subsets for "AP on objects with property X".
import type { CocoAnnotation, CocoDataset, CocoDetection } from './types';

export interface ImageDetections {
  imageId: number;
  /** [n * 4] boxes [x1, y1, x2, y2]. */
  boxes: ArrayLike<number>;
  scores: ArrayLike<number>;
  /** Contiguous labels 0..K-1, mapped to COCO ids through `catIds`. */
  labels: ArrayLike<number>;
}

/** Converts per-image detections (x1y1x2y2, contiguous labels) to COCO results ([x, y, w, h], category ids). */
export function toCocoDetections(perImage: ImageDetections[], catIds: number[]): CocoDetection[] {
  const out: CocoDetection[] = [];
  for (const d of perImage) {
    const n = d.scores.length;
    if (d.boxes.length !== 4 * n || d.labels.length !== n) {
      throw new Error(`toCocoDetections: image ${d.imageId} has ${d.boxes.length / 4} boxes, ${n} scores and ${d.labels.length} labels; they must agree`);
    }
    for (let i = 0; i < n; i++) {
      const lab = d.labels[i];
      if (!(Number.isInteger(lab) && lab >= 0 && lab < catIds.length)) throw new Error(`toCocoDetections: image ${d.imageId} detection ${i} has label ${lab}, outside 0..${catIds.length - 1}`);
      const x1 = d.boxes[4 * i], y1 = d.boxes[4 * i + 1], x2 = d.boxes[4 * i + 2], y2 = d.boxes[4 * i + 3];
      out.push({ image_id: d.imageId, category_id: catIds[lab], bbox: [x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1)], score: d.scores[i] });
    }
  }
  return out;
}

/** Area given to GTs outside a subset: above every area range (max 1e10), so COCOeval ignores them. */
export const IGNORED_AREA = 1e12;

/**
 * A copy of the GT in which annotations failing `keep` are ignored the way pycocotools ignores GTs
 * outside an area range: their `area` is set to IGNORED_AREA, so they count neither as misses nor
 * (when a detection matches them) as false positives. E.g. AP on occluded objects:
 * `onlyAnnotations(gt, (a) => (a.occlusion ?? 0) > 0.3)`. The area ranges s/m/l then cover the kept
 * GTs only; use AP/AP50/AP75 (area 'all').
 */
export function onlyAnnotations(gt: CocoDataset, keep: (a: CocoAnnotation) => boolean): CocoDataset {
  return { ...gt, annotations: gt.annotations.map((a) => (keep(a) ? a : { ...a, area: IGNORED_AREA })) };
}
