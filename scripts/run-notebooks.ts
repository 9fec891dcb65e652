// Execute notebooks headless: Jupyter's nbclient with the project's tslab kernel (quick mode 2 at a time,
// full mode one at a time), writing executed copies and HTML reports. Full mode by default,
// quick mode (CV_QUICK=1) with --quick.
//   node dist/scripts/run-notebooks.js [names...] [--quick|--full] [--check] [--inplace]
//        [--jobs N] [--timeout SECONDS] [--dir notebooks/] [--out reports/]
// names: notebook files or stems ('00-tour'); default every notebooks/*.ipynb not starting with '_'.
// Outputs: <out>/<name>.ipynb, <out>/<name>.html, <out>/<name>.log, <out>/summary.json
// (<out> = reports/ in full mode, reports/quick/ in quick mode). --inplace also writes the executed
// notebook back over the source when it ran without error (how committed notebooks get outputs).
// --check exits 1 if any notebook failed. The last line is `notebooks: N passed, M failed`.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as os from 'os';
import * as fs from 'fs';
import * as path from 'path';
import { ensureKernelSpec, KERNEL_NAME, projectRoot } from './register-kernel';

// Python side: nbclient execution with a whole-notebook deadline (asyncio.wait_for, so nbclient's
// own cleanup shuts the kernel down), the partial notebook saved even on error, HTML via nbconvert.
const DRIVER = String.raw`
import asyncio, json, os, sys, time, traceback
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
a = json.loads(sys.argv[1])
with open(a['input'], encoding='utf-8') as f:
    raw = json.load(f)
# Hand-written notebooks often lack cell ids (nbformat >= 4.5 wants them): add them quietly.
if raw.get('nbformat') == 4:
    import uuid
    raw['nbformat_minor'] = max(5, raw.get('nbformat_minor', 0))
    for c in raw.get('cells', []):
        c.setdefault('id', uuid.uuid4().hex[:8])
# nbformat.reads joins multi-line sources stored as lists of lines (as nbformat.write saves them).
nb = nbformat.convert(nbformat.reads(json.dumps(raw), as_version=4), 4)
timing = {}
def on_cell_start(cell, cell_index):
    timing[cell_index] = time.time()
def on_cell_executed(cell, cell_index, execute_reply):
    timing[cell_index] = time.time() - timing.get(cell_index, time.time())
def on_notebook_start(notebook):
    try:
        print('KERNEL_PID %d' % client.km.provisioner.process.pid, flush=True)
    except Exception:
        pass
client = NotebookClient(nb, timeout=a['cellTimeout'], kernel_name=a['kernel'],
    resources={'metadata': {'path': a['cwd']}}, allow_errors=False, record_timing=a['recordTiming'],
    on_cell_start=on_cell_start, on_cell_executed=on_cell_executed, on_notebook_start=on_notebook_start)
result = {'ok': True, 'error': None, 'failedCell': None}
async def run():
    await asyncio.wait_for(client.async_execute(), a['timeout'])
t0 = time.time()
try:
    asyncio.run(run())
except asyncio.TimeoutError:
    result.update(ok=False, error='notebook timed out after %ss' % a['timeout'])
except CellTimeoutError as e:
    result.update(ok=False, error='cell timed out (%ss per cell): %s' % (a['cellTimeout'], str(e).splitlines()[0] if str(e) else ''))
except CellExecutionError as e:
    result.update(ok=False, error='cell raised an error')
except DeadKernelError as e:
    # nbclient turns the cancellation by wait_for into DeadKernelError('Kernel died').
    if time.time() - t0 >= a['timeout'] - 0.5:
        result.update(ok=False, error='notebook timed out after %ss' % a['timeout'])
    else:
        result.update(ok=False, error='kernel died: %s' % e)
except (asyncio.CancelledError, KeyboardInterrupt):
    result.update(ok=False, error='interrupted')
except Exception as e:
    result.update(ok=False, error='%s: %s' % (type(e).__name__, e))
    traceback.print_exc()
result['seconds'] = time.time() - t0
# The failing cell is the last one started. tslab reports errors on stderr rather than as 'error'
# outputs, so its stderr text is the message.
code_idx = [i for i, c in enumerate(nb.cells) if c.cell_type == 'code']
if not result['ok']:
    started = [i for i in code_idx if i in timing]
    bad = started[-1] if started else None
    result['failedCell'] = bad
    if bad is not None:
        errs = [o for o in nb.cells[bad].get('outputs', []) if o.get('output_type') == 'error' or (o.get('output_type') == 'stream' and o.get('name') == 'stderr')]
        text = ''.join(o.get('text', '') if o.get('output_type') == 'stream' else '%s: %s' % (o.get('ename'), o.get('evalue')) for o in errs)
        result['message'] = text[-3000:]
result['cellSeconds'] = {str(k): v for k, v in timing.items() if v < 1e9}
result['codeCells'] = len(code_idx)
nbformat.write(nb, a['output'])
try:
    from nbconvert import HTMLExporter
    body, _ = HTMLExporter().from_notebook_node(nb)
    with open(a['html'], 'w', encoding='utf-8') as f:
        f.write(body)
except Exception as e:
    result['htmlError'] = '%s: %s' % (type(e).__name__, e)
if result['ok'] and a.get('inplace'):
    nbformat.write(nb, a['input'])
print('RESULT ' + json.dumps(result), flush=True)
`;

/** The driver as a file (readable `ps` lines, and python tracebacks with line numbers). */
function driverFile(): string {
  const hash = crypto.createHash('sha1').update(DRIVER).digest('hex').slice(0, 12);
  const file = path.join(os.tmpdir(), `cv-run-notebook-${hash}.py`);
  if (!fs.existsSync(file)) {
    fs.writeFileSync(`${file}.${process.pid}`, DRIVER);
    fs.renameSync(`${file}.${process.pid}`, file);
  }
  return file;
}

/** Drivers still running: terminated (with their kernels) if this process is interrupted. */
const running = new Set<ChildProcess>();
let interrupted = false;

export interface RunOptions {
  names?: string[];
  quick?: boolean;
  inplace?: boolean;
  jobs?: number;
  /** Seconds per notebook (default 300 quick, 1200 full). */
  timeout?: number;
  dir?: string;
  out?: string;
  /** Extra environment for the kernels. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface NotebookResult {
  name: string;
  input: string;
  ok: boolean;
  seconds: number;
  error?: string;
  failedCell?: number | null;
  message?: string;
  output: string;
  html: string;
  log: string;
  cellSeconds?: Record<string, number>;
}

/** A python3 that can import nbclient and nbconvert (CV_PYTHON, jupyter's own interpreter, python3...). */
export function findPython(): string | null {
  const candidates: string[] = [];
  if (process.env.CV_PYTHON) candidates.push(process.env.CV_PYTHON);
  const which = spawnSync('sh', ['-c', 'command -v jupyter'], { encoding: 'utf8' });
  const jup = which.status === 0 ? which.stdout.trim() : '';
  if (jup) {
    try {
      const first = fs.readFileSync(jup, 'utf8').split('\n')[0];
      if (first.startsWith('#!')) candidates.push(first.slice(2).trim().split(/\s+/).pop()!);
    } catch { /* not a script */ }
  }
  candidates.push('python3', '/usr/bin/python3', 'python');
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import nbclient, nbconvert, nbformat'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

/** Notebook files to run: explicit names (files or stems) or every *.ipynb in dir not starting with '_'. */
export function listNotebooks(dir: string, names: string[] = []): string[] {
  if (names.length > 0) {
    return names.map((n) => {
      const cands = [n, path.join(dir, n), path.join(dir, `${n}.ipynb`), `${n}.ipynb`];
      const hit = cands.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
      if (!hit) throw new Error(`run-notebooks: notebook '${n}' not found (looked in ${dir})`);
      return path.resolve(hit);
    });
  }
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb') && !f.startsWith('_') && !f.startsWith('.'))
    .sort().map((f) => path.join(dir, f));
}

function runOne(py: string, input: string, outDir: string, o: Required<Pick<RunOptions, 'quick' | 'inplace' | 'timeout'>>, env: NodeJS.ProcessEnv): Promise<NotebookResult> {
  const name = path.basename(input, '.ipynb');
  const output = path.join(outDir, `${name}.ipynb`);
  const html = path.join(outDir, `${name}.html`);
  const log = path.join(outDir, `${name}.log`);
  const args = {
    input, output, html, cwd: path.dirname(input), kernel: KERNEL_NAME,
    // cellTimeout > timeout: the whole-notebook deadline governs (nbclient's own cell timeout
    // reports a dead kernel instead).
    timeout: o.timeout, cellTimeout: o.timeout + 30, recordTiming: !o.inplace, inplace: o.inplace,
  };
  const t0 = Date.now();
  return new Promise((resolve) => {
    const logStream = fs.createWriteStream(log);
    const child = spawn(py, [driverFile(), JSON.stringify(args)], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let kernelPid = 0;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      const m = /KERNEL_PID (\d+)/.exec(stdout);
      if (m) kernelPid = Number(m[1]);
    });
    child.stderr.on('data', (b: Buffer) => logStream.write(b));
    // Backstop beyond the driver's own deadline: terminate (nbclient then shuts the kernel down),
    // then kill the driver's process group and the kernel.
    const hardKill = setTimeout(() => {
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
      setTimeout(() => {
        for (const pid of [-child.pid!, kernelPid]) if (pid) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      }, 10000).unref();
    }, (o.timeout + 90) * 1000);
    child.on('close', (code, signal) => {
      running.delete(child);
      clearTimeout(hardKill);
      logStream.end();
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      const seconds = (Date.now() - t0) / 1000;
      if (line) {
        const r = JSON.parse(line.slice(7));
        const error = r.ok ? undefined : interrupted ? `interrupted (${r.error})` : r.error;
        resolve({ name, input, output, html, log, seconds, ok: r.ok, error, failedCell: r.failedCell, message: r.message, cellSeconds: r.cellSeconds });
      } else {
        let tail = '';
        try { tail = fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n'); } catch { /* no log */ }
        resolve({ name, input, output, html, log, seconds, ok: false, error: `executor exited (${signal ?? code}) without a result${tail ? `:\n${tail}` : ''}` });
      }
    });
  });
}

/** Run notebooks; resolves with one result per notebook (never rejects for notebook errors). */
export async function runNotebooks(opts: RunOptions = {}): Promise<NotebookResult[]> {
  const root = projectRoot();
  const log = opts.log ?? ((l: string) => console.log(l));
  const quick = opts.quick ?? false;
  const dir = path.resolve(opts.dir ?? path.join(root, 'notebooks'));
  const outDir = path.resolve(opts.out ?? path.join(root, 'reports', ...(quick ? ['quick'] : [])));
  const timeout = opts.timeout ?? (quick ? 300 : 1200);
  const notebooks = listNotebooks(dir, opts.names);
  if (notebooks.length === 0) { log(`run-notebooks: no notebooks in ${dir}`); return []; }
  const py = findPython();
  if (!py) {
    throw new Error('run-notebooks: Jupyter (python3 with nbclient + nbconvert) not found: run `npm run setup` ' +
      '(scripts/setup.sh installs jupyter-nbconvert / python3-ipykernel) or set CV_PYTHON');
  }
  const kernel = ensureKernelSpec(root);
  if (!fs.existsSync(path.join(root, 'dist', 'lib', 'index.js'))) log('run-notebooks: warning: dist/lib is not built (notebooks import ../dist/lib): run `npm run build`');
  fs.mkdirSync(outDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  env.JUPYTER_PATH = [kernel.jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  if (quick) env.CV_QUICK = '1'; else delete env.CV_QUICK;
  // Full-mode budgets are sized for the whole machine (wasm uses every core): one at a time.
  const jobs = Math.max(1, opts.jobs ?? (quick ? 2 : 1));
  log(`run-notebooks: ${notebooks.length} notebook(s), ${quick ? 'quick (CV_QUICK=1)' : 'full'} mode, ${jobs} in parallel, timeout ${timeout}s each -> ${path.relative(process.cwd(), outDir) || '.'}`);
  const results: NotebookResult[] = new Array(notebooks.length);
  let next = 0;
  const worker = async () => {
    while (next < notebooks.length) {
      const i = next++;
      log(`  start ${path.basename(notebooks[i])}`);
      const r = await runOne(py, notebooks[i], outDir, { quick, inplace: opts.inplace ?? false, timeout }, env);
      results[i] = r;
      log(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.name} (${r.seconds.toFixed(1)} s)${r.ok ? '' : `: ${r.error}${r.failedCell != null ? ` [cell ${r.failedCell}]` : ''}`}`);
      if (!r.ok && r.message) log(r.message.trimEnd().split('\n').slice(0, 8).map((l) => `        ${l}`).join('\n'));
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, notebooks.length) }, worker));
  fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify({ mode: quick ? 'quick' : 'full', date: new Date().toISOString(), results }, null, 2) + '\n');
  return results;
}

function parseArgs(argv: string[]): RunOptions & { check: boolean } {
  const o: RunOptions & { check: boolean } = { names: [], check: false };
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n <= 0) throw new Error(`run-notebooks: ${flag} needs a positive number, got '${v ?? ''}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--full') o.quick = false;
    else if (a === '--check') o.check = true;
    else if (a === '--inplace') o.inplace = true;
    else if (a === '--jobs') o.jobs = num(a, argv[++i]);
    else if (a === '--timeout') o.timeout = num(a, argv[++i]);
    else if (a === '--dir') o.dir = argv[++i];
    else if (a === '--out') o.out = argv[++i];
    else if (a === '-h' || a === '--help') {
      console.log('usage: run-notebooks [names...] [--quick|--full] [--check] [--inplace] [--jobs N] [--timeout S] [--dir D] [--out D]');
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`run-notebooks: unknown option ${a} (see --help)`);
    else o.names!.push(a);
  }
  // CV_QUICK=1 in the environment also selects quick mode unless --full is given.
  if (o.quick === undefined) {
    const v = process.env.CV_QUICK;
    o.quick = v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
  }
  if (o.inplace && o.quick) throw new Error('run-notebooks: --inplace writes full-mode outputs only; drop --quick / CV_QUICK');
  return o;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  // Drivers run in their own process groups (so a timeout can kill one without us); on Ctrl-C,
  // SIGTERM them: nbclient's handler then shuts its kernel down.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      interrupted = true;
      for (const c of running) { try { process.kill(-c.pid!, 'SIGTERM'); } catch { /* gone */ } }
      console.log(`\nnotebooks: interrupted (${sig})`);
      setTimeout(() => process.exit(130), 15000).unref();
    });
  }
  let o: ReturnType<typeof parseArgs>;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  let results: NotebookResult[];
  try {
    results = await runNotebooks(o);
  } catch (e) {
    console.error((e as Error).message);
    console.log('notebooks: 0 passed, 0 failed (not run)');
    process.exit(1);
  }
  const pass = results.filter((r) => r.ok).length;
  const fail = results.length - pass;
  if (results.length) {
    const w = Math.max(...results.map((r) => r.name.length));
    console.log('\nsummary:');
    for (const r of results) console.log(`  ${r.name.padEnd(w)}  ${r.ok ? 'pass' : 'FAIL'}  ${r.seconds.toFixed(1).padStart(7)} s  ${path.relative(process.cwd(), r.html)}`);
    console.log(`  total wall time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(`notebooks: ${pass} passed, ${fail} failed`);
  if (o.check && fail > 0) process.exit(1);
}

if (require.main === module) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
