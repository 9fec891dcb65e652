/**
 * # COCO tooling (pycocotools-compatible)
 *
 * Readers/writers for COCO instances and results JSON with validation, RLE masks, and COCO AP/AR
 * computed as pycocotools' `COCOeval` (2.0.x) computes them. Conventions reproduced on purpose:
 *
 * - **Boxes** are `[x, y, w, h]`; box IoU has no legacy "+1"; a box's area is `w*h`.
 * - **RLE** (`maskApi.c`): masks are indexed `[row, col]` but run-length encoded in *column-major*
 *   (Fortran) order; runs alternate 0s/1s starting with a (possibly empty) run of 0s. The compressed
 *   string stores run m as `x - counts[m-2]` for m > 2, in 5-bit groups (LSB first, 0x20 = more,
 *   sign via 0x10, +48 ASCII offset). `toBbox` gives the tight box of the 1-pixels; `area` counts them.
 *   Polygons are rasterised like `rleFrPoly` (x5 upsampling, edge walking, column-boundary sampling).
 * - **IoU with crowd**: for a crowd GT, IoU = `inter / area(det)` (the det is "covered" by the crowd).
 * - **Thresholds**: IoU thresholds = numpy `linspace(.5, .95, 10)` bit-for-bit (`.5 + i*(.45/9)`,
 *   last exactly .95); recall thresholds = `linspace(0, 1, 101)`. A det matches when
 *   `IoU >= min(t, 1 - 1e-10)`.
 * - **Area ranges**: all `[0, 1e10]`, small `[0, 32^2]`, medium `[32^2, 96^2]`, large `[96^2, 1e10]`,
 *   inclusive at both ends; the GT's `area` field decides (mask area on real COCO, even for box AP),
 *   the det's area is `w*h` (bbox) or the mask area (segm).
 * - **Per image and category**: dets sorted by score (stable mergesort, descending), first `maxDet`
 *   kept; GTs sorted non-ignored first (ignored = iscrowd or area outside the range); each det in
 *   order greedily takes the best-IoU GT not yet matched (crowd GTs can be matched repeatedly),
 *   preferring non-ignored GTs; a det matched to an ignored GT is ignored; an unmatched det whose
 *   area is outside the range is ignored.
 * - **Accumulate**: dets of all images concatenated (image order) and sorted by score with a stable
 *   mergesort; tp/fp cumulative sums; precision made monotone (envelope from the right); precision at
 *   each recall threshold via `searchsorted(rc, r, 'left')`, 0 past the end. A category with no
 *   non-ignored GT gets -1 and is excluded from means. AP = mean over IoUs, recall points, categories;
 *   AR = mean over IoUs and categories of the final recall. `stats` is the 12-number `summarize()`.
 * - Quirks kept: a GT whose annotation id is 0 counts as unmatched when accumulating (pycocotools
 *   stores matched ids and tests them for != 0), so use ids >= 1 as COCO does; `bbox` results carry
 *   area w*h even in segm mode (loadRes decides on the first result).
 * - One deliberate difference: pycocotools' stats[0] (AP) hard-codes maxDets=100; here AP uses
 *   maxDets[2] like AP50/AP75/APs/m/l do. Identical for the default [1, 10, 100].
 * - `prepareEval` + `accumulateEval(state, imageIndices)` let you resample images (with repeats) for a
 *   paired bootstrap without re-matching.
 */
export * from './types';
export * from './params';
export * from './validate';
export * from './io';
export * from './rle';
export * from './polygon';
export * from './box-iou';
export * from './eval';
export * from './results';
export * from './bootstrap';
