// scripts/run-notebooks: executes real notebooks headless with Jupyter (nbclient) and the project's
// tslab kernel. Generated notebooks in a temp dir import the compiled lib/viz by absolute path.
// Skipped (with the reason) only when no python3 with nbclient/nbconvert exists; setup installs it.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findPython, listNotebooks, runNotebooks } from '../scripts/run-notebooks';

function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' }, language_info: { name: 'typescript' } },
    nbformat: 4, nbformat_minor: 5,
  });
}

type Output = { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> };
const outputsOf = (file: string): Output[][] => JSON.parse(fs.readFileSync(file, 'utf8')).cells.map((c: { outputs: Output[] }) => c.outputs);
const text = (o: Output) => (Array.isArray(o.text) ? o.text.join('') : o.text ?? '');

describe('run-notebooks (Jupyter + tslab, headless)', function () {
  this.timeout(300000);
  const vizPath = path.resolve(__dirname, '..', 'lib', 'viz');
  let dir = '';
  before(function () {
    if (!findPython()) {
      console.log('    (skipped: no python3 with nbclient + nbconvert: run `npm run setup` to install Jupyter)');
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-nb-'));
    fs.writeFileSync(path.join(dir, 'plot.ipynb'), notebook([
      `import * as viz from ${JSON.stringify(vizPath)};\nconsole.log('quick=' + process.env.CV_QUICK, 'inNotebook=' + viz.inNotebook());`,
      "await viz.show(viz.curves({train: [1, 0.6, 0.4], test: [1.1, 0.8, 0.7]}, {title: 'nb-loss'}));",
      "const chart = viz.liveChart((h: number[]) => viz.curves({acc: h}, {title: 'live n=' + h.length}));\nconst h: number[] = [];\nfor (let i = 0; i < 3; i++) { h.push(i); await chart.update([...h]); }",
      "viz.showTable(viz.table([{method: 'ours', acc: 0.91}], {caption: 'nb-table'}));",
    ]));
    fs.writeFileSync(path.join(dir, 'broken.ipynb'), notebook([
      "console.log('first cell ran');",
      "const y: number = 2;\nthrow new Error('boom-' + y);",
      "console.log('never');",
    ]));
    fs.writeFileSync(path.join(dir, 'slow.ipynb'), notebook([
      'console.log(`pid=${process.pid}`);',
      'await new Promise((r) => setTimeout(r, 120000));',
    ]));
    fs.writeFileSync(path.join(dir, '_scratch.ipynb'), notebook(['1']));
  });

  it('lists notebooks, skipping _private ones, and names a missing one', () => {
    assert.deepStrictEqual(listNotebooks(dir).map((f) => path.basename(f)), ['broken.ipynb', 'plot.ipynb', 'slow.ipynb']);
    assert.throws(() => listNotebooks(dir, ['nope']), /notebook 'nope' not found/);
  });

  it('runs notebooks in quick mode: plots as vega-lite + SVG, live chart updated in place, tables as HTML; errors reported', async () => {
    const out = path.join(dir, 'out');
    const logs: string[] = [];
    const results = await runNotebooks({ dir, out, quick: true, names: ['plot', 'broken'], log: (l) => logs.push(l) });
    const [plot, broken] = results;
    assert.ok(plot.ok, `plot notebook failed: ${plot.error} ${plot.message ?? ''}`);
    const outs = outputsOf(plot.output);
    assert.ok(text(outs[0][0]).includes('quick=1') && text(outs[0][0]).includes('inNotebook=true'));
    const shown = outs[1].filter((o) => o.output_type === 'display_data');
    assert.strictEqual(shown.length, 1, 'one output per show()');
    assert.ok(shown[0].data!['application/vnd.vegalite.v5+json'], 'vega-lite JSON');
    assert.ok(String(shown[0].data!['image/svg+xml']).includes('nb-loss'), 'SVG in the same output');
    const live = outs[2].filter((o) => o.output_type === 'display_data');
    assert.strictEqual(live.length, 1, 'live chart is a single output');
    assert.ok(String(live[0].data!['image/svg+xml']).includes('live n=3'), 'holding the last update');
    assert.ok(String(outs[3][0].data!['text/html']).includes('nb-table'));
    const html = fs.readFileSync(plot.html, 'utf8');
    assert.ok(html.includes('<svg') && html.includes('nb-loss'), 'HTML report shows the SVG');

    assert.strictEqual(broken.ok, false);
    assert.strictEqual(broken.failedCell, 1);
    assert.ok(/boom-2/.test(broken.message ?? ''), `error text: ${broken.message}`);
    assert.ok(fs.existsSync(broken.output) && fs.existsSync(broken.html), 'partial outputs written on failure');
    assert.ok(text(outputsOf(broken.output)[0][0]).includes('first cell ran'));
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    assert.strictEqual(summary.mode, 'quick');
    assert.deepStrictEqual(summary.results.map((r: { ok: boolean }) => r.ok), [true, false]);
  });

  it('enforces the per-notebook timeout and shuts the kernel down', async () => {
    const out = path.join(dir, 'out-timeout');
    const [r] = await runNotebooks({ dir, out, quick: true, names: ['slow'], timeout: 40, log: () => {} });
    assert.strictEqual(r.ok, false);
    assert.ok(/timed out/.test(r.error ?? ''), r.error);
    const pid = Number(/pid=(\d+)/.exec(text(outputsOf(r.output)[0][0]))![1]);
    let alive = true;
    for (let i = 0; i < 20 && alive; i++) {
      try { process.kill(pid, 0); await new Promise((res) => setTimeout(res, 250)); } catch { alive = false; }
    }
    assert.strictEqual(alive, false, `kernel ${pid} still running`);
  });

  it('CLI: --check exits 1 on a failing notebook and prints the summary line', () => {
    const cli = path.resolve(__dirname, '..', 'scripts', 'run-notebooks.js');
    const r = spawnSync(process.execPath, [cli, 'broken', '--dir', dir, '--out', path.join(dir, 'out-cli'), '--quick', '--check'], { encoding: 'utf8' });
    assert.strictEqual(r.status, 1, r.stdout + r.stderr);
    assert.strictEqual(r.stdout.trim().split('\n').pop(), 'notebooks: 0 passed, 1 failed');
    const bad = spawnSync(process.execPath, [cli, '--bogus'], { encoding: 'utf8' });
    assert.notStrictEqual(bad.status, 0);
    assert.ok(/unknown option --bogus/.test(bad.stderr + bad.stdout));
  });

  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });
});
