// Shape rasterisation for the synthetic detection scenes: binary masks tested at pixel centres
// (x + 0.5, y + 0.5), so annotations are exact pixel sets (no anti-aliasing to argue about).

/** Shape classes the scene generator can draw. `frame` (hollow square) vs `square` and `ring` vs
 *  `disc` differ only in the interior, so telling them apart needs a receptive field covering it. */
export type ShapeClass = 'square' | 'disc' | 'triangle' | 'frame' | 'ring' | 'cross';
export const SHAPE_CLASSES: readonly ShapeClass[] = ['square', 'disc', 'triangle', 'frame', 'ring', 'cross'];

export interface ShapeSpec {
  cls: ShapeClass;
  /** Centre in pixels (continuous coordinates). */
  cx: number;
  cy: number;
  /** Side (square/frame/cross/triangle) or diameter (disc/ring), pixels. */
  size: number;
  /** Rotation, radians (ignored by disc/ring). */
  angle: number;
}

/** Wall thickness of `frame` (15% of the side, spec 5.2) and `ring` (in pixels, at least 1.5). */
export const FRAME_WALL = 0.15;
export const RING_WALL = 0.3;

function inside(s: ShapeSpec, px: number, py: number): boolean {
  const dx = px - s.cx, dy = py - s.cy;
  const c = Math.cos(s.angle), sn = Math.sin(s.angle);
  // coordinates in the shape's frame
  const u = c * dx + sn * dy, v = -sn * dx + c * dy;
  const h = s.size / 2;
  switch (s.cls) {
    case 'disc': return dx * dx + dy * dy <= h * h;
    case 'ring': {
      const r2 = dx * dx + dy * dy, inner = h - Math.max(1.5, RING_WALL * h);
      return r2 <= h * h && r2 > inner * inner;
    }
    case 'square': return Math.abs(u) <= h && Math.abs(v) <= h;
    case 'frame': {
      const inner = h - Math.max(1.5, FRAME_WALL * s.size);
      return Math.abs(u) <= h && Math.abs(v) <= h && !(Math.abs(u) < inner && Math.abs(v) < inner);
    }
    case 'cross': {
      const arm = Math.max(1, s.size / 6);
      return (Math.abs(u) <= h && Math.abs(v) <= arm) || (Math.abs(v) <= h && Math.abs(u) <= arm);
    }
    case 'triangle': {
      // equilateral with side `size`, centroid at the centre, pointing "up" in its frame
      const R = s.size / Math.sqrt(3);
      const ax = 0, ay = -R, bx = -s.size / 2, by = R / 2, cx = s.size / 2, cy = R / 2;
      const e = (x1: number, y1: number, x2: number, y2: number) => (x2 - x1) * (v - y1) - (y2 - y1) * (u - x1);
      const e1 = e(ax, ay, bx, by), e2 = e(bx, by, cx, cy), e3 = e(cx, cy, ax, ay);
      return (e1 >= 0 && e2 >= 0 && e3 >= 0) || (e1 <= 0 && e2 <= 0 && e3 <= 0);
    }
  }
}

/** Half-extent of the shape's axis-aligned bounding box (for placement). */
export function shapeRadius(s: ShapeSpec): number {
  return s.cls === 'disc' || s.cls === 'ring' ? s.size / 2 : (s.size / 2) * Math.SQRT2 + 0.5;
}

/** Binary mask (row-major height*width, 1 inside) of a shape, clipped to the canvas. */
export function rasterShape(s: ShapeSpec, height: number, width: number): Uint8Array {
  const m = new Uint8Array(height * width);
  const r = shapeRadius(s) + 1;
  const y0 = Math.max(0, Math.floor(s.cy - r)), y1 = Math.min(height - 1, Math.ceil(s.cy + r));
  const x0 = Math.max(0, Math.floor(s.cx - r)), x1 = Math.min(width - 1, Math.ceil(s.cx + r));
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (inside(s, x + 0.5, y + 0.5)) m[y * width + x] = 1;
  return m;
}

/** A straight bar (rotated rectangle) of the given length and thickness: occluders and clutter. */
export function rasterBar(cx: number, cy: number, length: number, thickness: number, angle: number, height: number, width: number): Uint8Array {
  const m = new Uint8Array(height * width);
  const c = Math.cos(angle), sn = Math.sin(angle);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const dx = x + 0.5 - cx, dy = y + 0.5 - cy;
    const u = c * dx + sn * dy, v = -sn * dx + c * dy;
    if (Math.abs(u) <= length / 2 && Math.abs(v) <= thickness / 2) m[y * width + x] = 1;
  }
  return m;
}

/** Count of set pixels. */
export function maskSum(m: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += m[i];
  return s;
}
