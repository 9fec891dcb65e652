// lib/viz: spec builders compile with vega-lite and render to SVG with the expected marks/text;
// PNG encoding round-trips; the notebook display protocol (one mime bundle, in-place updates) is
// checked against a stand-in for tslab's kernel writer; tables and paper comparison.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as tf from '@tensorflow/tfjs';
import { crc32 } from '../lib/data/readers/png';
import * as viz from '../lib/viz';

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;
/** Number of scenegraph items with this aria role description ('line mark', 'bar', 'point'...). */
const items = (svg: string, role: string) => count(svg, new RegExp(`aria-roledescription="${role}"`, 'g'));

/** Decode a PNG made by encodePNG (filter 0 only): [width, height, channels, pixels]. */
function decodePNG(buf: Buffer): { w: number; h: number; ch: number; px: Uint8Array } {
  assert.deepStrictEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let off = 8, w = 0, h = 0, ch = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    assert.strictEqual(buf.readUInt32BE(off + 8 + len), crc32(buf.subarray(off + 4, off + 8 + len)), `crc of ${type}`);
    if (type === 'IHDR') { w = data.readUInt32BE(0); h = data.readUInt32BE(4); ch = ({ 0: 1, 4: 2, 2: 3, 6: 4 } as Record<number, number>)[data[9]]; }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const px = new Uint8Array(w * h * ch);
  for (let y = 0; y < h; y++) {
    assert.strictEqual(raw[y * (w * ch + 1)], 0, 'filter type 0');
    px.set(raw.subarray(y * (w * ch + 1) + 1, (y + 1) * (w * ch + 1)), y * w * ch);
  }
  return { w, h, ch, px };
}

/** Stand-in for tslab's kernel module: a file named .../tslab/dist/jupyter.js in require.cache. */
function fakeKernel(): { calls: { content: { data: viz.MimeBundle; transient: { display_id?: string } }; update: boolean }[]; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'viz-kernel-'));
  const file = path.join(dir, 'node_modules', 'tslab', 'dist', 'jupyter.js');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'exports.calls = []; exports.lastWriteDisplayData = (content, update) => exports.calls.push({content, update: !!update});\n');
  const mod = require(file);
  return {
    calls: mod.calls,
    remove() { delete require.cache[require.resolve(file)]; fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

describe('viz: stats', () => {
  it('ema is the identity at weight 0 and debiased otherwise', () => {
    assert.deepStrictEqual(viz.ema([3, 1, 2], 0), [3, 1, 2]);
    const s = viz.ema([1, 2], 0.5);
    assert.ok(Math.abs(s[0] - 1) < 1e-12);
    assert.ok(Math.abs(s[1] - 1.25 / 0.75) < 1e-12);
    assert.ok(viz.ema([5, 5, 5, 5], 0.9).every((v) => Math.abs(v - 5) < 1e-9), 'constant stays constant');
    assert.throws(() => viz.ema([1], 1), /weight must be in \[0, 1\)/);
  });
  it('meanStd uses the sample std', () => {
    const s = viz.meanStd([1, 2, 3, NaN]);
    assert.strictEqual(s.mean, 2);
    assert.strictEqual(s.std, 1);
    assert.strictEqual(s.n, 3);
  });
});

describe('viz: curves', () => {
  it('draws one line per series with legend and title', async () => {
    const spec = viz.curves({ train: [1, 0.8, 0.6], test: [1.1, 0.9, 0.8] }, { title: 'loss curves', yTitle: 'loss' });
    const svg = await viz.toSVG(spec);
    assert.strictEqual(items(svg, 'line mark'), 2, 'two lines');
    assert.strictEqual(items(svg, 'point'), 6, 'a point per value');
    for (const t of ['loss curves', 'train', 'test', 'loss']) assert.ok(svg.includes(`>${t}<`), `svg has text ${t}`);
  });
  it('smoothing adds faint raw curves and smooths the main one', () => {
    const rows = viz.curveRows({ a: [0, 10, 0, 10] }, { smooth: 0.6 });
    const raw = rows.filter((r) => r.kind === 'raw').map((r) => r.y);
    const line = rows.filter((r) => r.kind === 'line').map((r) => r.y);
    assert.deepStrictEqual(raw, [0, 10, 0, 10]);
    assert.deepStrictEqual(line, viz.ema([0, 10, 0, 10], 0.6));
  });
  it('aggregates seeds into mean ± std with a band', async () => {
    const pts = [0, 1, 2].flatMap((seed) => [1, 2, 3].map((x) => ({ x, y: x + seed, series: 'acc', seed })));
    const rows = viz.curveRows(pts);
    const mean = rows.filter((r) => r.seed === 'mean');
    assert.deepStrictEqual(mean.map((r) => r.y), [2, 3, 4]);
    assert.deepStrictEqual(mean.map((r) => [r.lo, r.hi]), [[1, 3], [2, 4], [3, 5]]);
    const svg = await viz.toSVG(viz.curves(pts, { showSeeds: true }));
    assert.strictEqual(items(svg, 'area mark'), 1, 'band');
    assert.strictEqual(items(svg, 'line mark'), 4, 'mean line + 3 faint seed lines');
  });
  it('facets panels with independent y scales', async () => {
    const pts = [1, 2, 3].flatMap((x) => [{ x, y: 1 / x, series: 'train', panel: 'loss' }, { x, y: 0.5 + x / 10, series: 'train', panel: 'accuracy' }]);
    const svg = await viz.toSVG(viz.curves(pts));
    assert.ok(svg.includes('>loss<') && svg.includes('>accuracy<'));
  });
  it('historyPoints turns training history rows into labelled, panelled points', () => {
    const h = [{ epoch: 1, trainLoss: 0.9, testAcc: 0.7 }, { epoch: 2, trainLoss: 0.5 }];
    const pts = viz.historyPoints(h, { labels: { trainLoss: 'train' }, panels: { trainLoss: 'loss', testAcc: 'accuracy' } });
    assert.deepStrictEqual(pts, [
      { x: 1, y: 0.9, series: 'train', panel: 'loss' },
      { x: 1, y: 0.7, series: 'testAcc', panel: 'accuracy' },
      { x: 2, y: 0.5, series: 'train', panel: 'loss' },
    ]);
    assert.throws(() => viz.historyPoints([{ step: 1, a: 1 }]), /row 0 has no numeric 'epoch'/);
    // lib/train's EpochRecord: nested metrics/eval are flattened, bookkeeping fields left out.
    const rec = [{ epoch: 1, step: 10, lr: 0.1, trainLoss: 1, metrics: { trainAcc: 0.5 }, eval: { acc: 0.6, loss: 0.9 }, timeMs: 5 }];
    assert.deepStrictEqual(viz.historyPoints(rec).map((p) => p.series), ['trainLoss', 'metrics.trainAcc', 'eval.acc', 'eval.loss']);
  });
  it('trainingCurves splits loss and accuracy panels', async () => {
    const rec = [1, 2].map((e) => ({ epoch: e, step: e * 10, trainLoss: 1 / e, metrics: { trainAcc: 0.5 * e }, eval: { acc: 0.4 * e } }));
    const spec = viz.trainingCurves(rec) as { data: { values: { panel: string; series: string }[] } };
    const panelOf = Object.fromEntries(spec.data.values.map((v) => [v.series, v.panel]));
    assert.deepStrictEqual(panelOf, { trainLoss: 'loss', trainAcc: 'accuracy', 'eval acc': 'accuracy' });
    const svg = await viz.toSVG(spec as viz.VlSpec);
    assert.ok(svg.includes('>loss<') && svg.includes('>accuracy<') && svg.includes('>epoch<'));
  });
  it('rejects bad points', () => {
    assert.throws(() => viz.curves([{ x: 1, y: 'a' as unknown as number }]), /point 0 needs numeric x and y/);
  });
});

describe('viz: bars, heatmaps, confusion matrices', () => {
  it('bars show mean with ± std error bars', async () => {
    const rows = viz.barRows([{ label: 'A', values: [1, 2, 3] }, { label: 'B', value: 4, std: 0.5 }]);
    assert.deepStrictEqual(rows.map((r) => [r.mean, r.std, r.lo, r.hi, r.n]), [[2, 1, 1, 3, 3], [4, 0.5, 3.5, 4.5, 1]]);
    const svg = await viz.toSVG(viz.bars([{ label: 'A', group: 'x', values: [1, 2, 3] }, { label: 'A', group: 'y', values: [2, 3] }], { title: 'acc', labelFormat: '.1f' }));
    assert.strictEqual(items(svg, 'bar'), 2, 'two bars');
    assert.strictEqual(items(svg, 'errorbar'), 2, 'two error bars');
    assert.ok(svg.includes('>2.0<') && svg.includes('>2.5<'), 'mean labels');
    assert.throws(() => viz.bars([{ label: 'A' }]), /needs values \(per seed\) or value/);
  });
  it('heatmap: one rect per cell, annotated values, label checks', async () => {
    const svg = await viz.toSVG(viz.heatmap([[1, 0.25], [0.25, 1]], { rowLabels: ['a', 'b'], colLabels: ['a', 'b'], domain: [-1, 1] }));
    assert.strictEqual(items(svg, 'rect mark'), 4);
    assert.strictEqual(count(svg, />0\.25</g), 2);
    assert.throws(() => viz.heatmap([[1, 2], [3]]), /row 1 has 1 entries, expected 2/);
    assert.throws(() => viz.heatmap([[1, 2]], { colLabels: ['x'] }), /colLabels has 1 labels for 2 columns/);
    const t = tf.tensor2d([[1, 2], [3, 4]]);
    const fromTensor = viz.heatmap(t) as { data: { values: { value: number }[] } };
    t.dispose();
    assert.deepStrictEqual(fromTensor.data.values.map((v) => v.value), [1, 2, 3, 4]);
  });
  it('confusion matrix from labels, row-normalised', async () => {
    const spec = viz.confusionMatrix({ yTrue: [0, 1, 1, 2], yPred: [0, 1, 2, 2], numClasses: 3 }, { classNames: ['cat', 'dog', 'emu'] });
    const vals = (spec as { data: { values: { i: number; value: number }[] } }).data.values;
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(vals.filter((v) => v.i === i).reduce((a, v) => a + v.value, 0) - 1) < 1e-12);
    const svg = await viz.toSVG(spec);
    for (const t of ['cat', 'dog', 'emu', 'predicted', 'true', '0.50']) assert.ok(svg.includes(`>${t}<`), t);
    assert.throws(() => viz.confusionMatrix({ yTrue: [0, 3], yPred: [0, 0], numClasses: 3 }), /out of \[0, 3\) at 1 \(label 3/);
    assert.throws(() => viz.confusionMatrix([[1, 2, 3]]), /must be square/);
  });
});

describe('viz: images', () => {
  it('encodePNG round-trips grey and RGB pixels, with integer upscaling', () => {
    assert.strictEqual(crc32(Buffer.from('IEND')), 0xae426082);
    const grey = Uint8Array.from({ length: 6 }, (_, i) => i * 40);
    const d = decodePNG(viz.encodePNG(grey, 3, 2, 1, 2));
    assert.deepStrictEqual([d.w, d.h, d.ch], [6, 4, 1]);
    const up = [0, 0, 40, 40, 80, 80, 0, 0, 40, 40, 80, 80, 120, 120, 160, 160, 200, 200, 120, 120, 160, 160, 200, 200];
    assert.deepStrictEqual([...d.px], up, 'each pixel replicated 2x2');
    const rgb = Uint8Array.from({ length: 12 }, (_, i) => 255 - i);
    assert.deepStrictEqual([...decodePNG(viz.encodePNG(rgb, 2, 2, 3)).px], [...rgb]);
    assert.throws(() => viz.encodePNG(grey, 4, 2), /expected 4x2x1 = 8 bytes, got 6/);
  });
  it('imageGrid embeds each image as a PNG with captions', async () => {
    const x = tf.tidy(() => tf.linspace(0, 1, 4 * 5 * 5).reshape([4, 5, 5, 1]));
    const spec = viz.imageGrid(x, { captions: ['a', 'b', 'c', 'd'], correct: [true, false, true, true], columns: 2 });
    x.dispose();
    const vals = (spec as { data: { values: { url: string; row: number; col: number }[] } }).data.values;
    assert.deepStrictEqual(vals.map((v) => [v.row, v.col]), [[0, 0], [0, 1], [1, 0], [1, 1]]);
    const png = decodePNG(Buffer.from(vals[3].url.replace('data:image/png;base64,', ''), 'base64'));
    assert.strictEqual(png.w % 5, 0);
    assert.strictEqual(png.px[png.px.length - 1], 255, 'last pixel of the last image is the max (1.0 -> 255)');
    const svg = await viz.toSVG(spec);
    assert.strictEqual(count(svg, /<image /g), 4);
    assert.ok(svg.includes('>b<') && svg.includes('#d62728'), 'caption text, wrong one in red');
    assert.throws(() => viz.imageGrid([new Uint8Array(10)], { shape: [3, 3] }), /image 0 has 10 values/);
  });
});

describe('viz: tables', () => {
  it('builds DataFrames from rows or columns without touching the tf backend', () => {
    const before = tf.getBackend();
    const df = viz.table([{ method: 'a', acc: 91.25 }, { method: 'b', acc: 88, seeds: 3 }]);
    assert.strictEqual(tf.getBackend(), before);
    assert.deepStrictEqual(df.columns, ['method', 'acc', 'seeds']);
    assert.deepStrictEqual(df.shape, [2, 3]);
    assert.deepStrictEqual(viz.tableData(df).rows, [['a', 91.25, null], ['b', 88, 3]]);
    const df2 = viz.table({ x: [1, 2], y: ['p', 'q'] }, { columns: ['y', 'x'] });
    assert.deepStrictEqual(viz.tableData(df2), { columns: ['y', 'x'], rows: [['p', 1], ['q', 2]] });
    assert.throws(() => viz.table({ x: [1, 2], y: ['p'] }), /column 'y' has 1 values, expected 2/);
    assert.throws(() => viz.table([{ a: 1 }], { columns: ['b'] }), /unknown column 'b'/);
    const text = viz.tableText(df);
    assert.ok(/91\.25/.test(text) && /88\.00/.test(text) && text.includes('—'));
  });
  it('withPaper puts paper and our numbers side by side with the difference', () => {
    const df = viz.withPaper(
      [{ method: 'baseline', acc: 90 }, { method: 'ours', acc: 92.5 }],
      [{ method: 'baseline', acc: 91.5 }],
      { key: 'method' },
    );
    const { columns, rows } = viz.tableData(df);
    assert.deepStrictEqual(columns, ['method', 'acc (paper)', 'acc (ours)', 'acc Δ']);
    assert.deepStrictEqual(rows, [['baseline', 91.5, 90, -1.5], ['ours', null, 92.5, null]]);
    assert.throws(() => viz.withPaper([{ acc: 1 }], [{ method: 'x', acc: 1 }], { key: 'method' }), /ours row 0 has no key column 'method'/);
  });
});

describe('viz: rendering and display', () => {
  it('hconcat puts charts from different builders side by side', async () => {
    const spec = viz.hconcat([viz.curves({ loss: [1, 0.5] }, { title: 'left-chart' }), viz.heatmap([[1]], { title: 'right-chart' })], { title: 'both' });
    const svg = await viz.toSVG(spec);
    for (const t of ['both', 'left-chart', 'right-chart']) assert.ok(svg.includes(`>${t}<`), t);
    assert.strictEqual(items(svg, 'rect mark'), 1);
    assert.throws(() => viz.vconcat([]), /at least one spec/);
  });
  it('compile names an unknown mark; saveSVG writes a file', async () => {
    assert.throws(() => viz.compile({ mark: 'nope', data: { values: [] } }), /unknown mark type 'nope'/);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'viz-')), 'sub', 'c.svg');
    await viz.saveSVG(viz.curves({ a: [1, 2] }), file);
    assert.ok(fs.readFileSync(file, 'utf8').startsWith('<svg'));
  });
  it('outside a kernel show() only logs and liveChart writes to saveTo, coalescing updates', async () => {
    assert.strictEqual(viz.inNotebook(), false);
    assert.strictEqual(viz.emitBundle({ 'text/plain': 'x' }), false);
    await viz.show(viz.curves({ a: [1, 2] }));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'viz-')), 'live.svg');
    const chart = viz.liveChart((h: number[]) => viz.curves({ acc: h }, { title: `n=${h.length}` }), { saveTo: file });
    assert.strictEqual(chart.live, false);
    const h: number[] = [];
    const ps: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) { h.push(i); ps.push(chart.update([...h])); }
    await Promise.all(ps);
    await chart.done();
    assert.ok(chart.renders >= 1 && chart.renders < 5, `coalesced (${chart.renders} renders)`);
    assert.ok(fs.readFileSync(file, 'utf8').includes('>n=5<'), 'latest data drawn');
  });
  it('in a (stand-in) tslab kernel: one bundle per show, in-place updates for liveChart, HTML tables', async () => {
    const k = fakeKernel();
    try {
      assert.strictEqual(viz.inNotebook(), true);
      await viz.show(viz.bars([{ label: 'A', value: 1 }], { title: 'one' }));
      assert.strictEqual(k.calls.length, 1);
      const data = k.calls[0].content.data;
      assert.deepStrictEqual(Object.keys(data).sort(), ['application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/plain']);
      assert.ok(String(data['image/svg+xml']).startsWith('<svg'));
      assert.strictEqual((data['application/vnd.vegalite.v5+json'] as { title: string }).title, 'one');
      assert.strictEqual(k.calls[0].update, false);

      const chart = viz.liveChart((h: number[]) => viz.curves({ acc: h }));
      assert.strictEqual(chart.live, true);
      await chart.update([1]);
      await chart.update([1, 2]);
      await chart.update([1, 2, 3]);
      const live = k.calls.slice(1);
      assert.strictEqual(live.length, 3);
      const id = live[0].content.transient.display_id;
      assert.ok(id && live.every((c) => c.content.transient.display_id === id), 'same display id');
      assert.deepStrictEqual(live.map((c) => c.update), [false, true, true], 'created once, then updated');

      viz.showTable(viz.table([{ m: 'a<b', acc: 0.5 }], { caption: 'cap' }));
      const html = String(k.calls[4].content.data['text/html']);
      assert.ok(html.includes('<caption>cap</caption>') && html.includes('a&lt;b') && html.includes('0.50'));
    } finally {
      k.remove();
    }
    assert.strictEqual(viz.inNotebook(), false);
  });
});
