// Register the tslab Jupyter kernel from THIS project's node_modules, with absolute paths, in a
// project-local Jupyter data dir (.cv-cache/jupyter, git-ignored). `tslab install` would write a
// spec that runs whatever `tslab` is first on PATH; pinning node + our tslab makes notebook runs
// reproducible. run-notebooks sets JUPYTER_PATH to this dir. With --user the same spec is also
// installed in the user's Jupyter data dir so `jupyter lab` finds it without JUPYTER_PATH.
//   node dist/scripts/register-kernel.js [--user] [--quiet]
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const KERNEL_NAME = 'tslab';

/** The project root: the nearest ancestor of this file with a package.json named collab-vision. */
export function projectRoot(start = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'collab-vision') return dir;
      } catch { /* keep looking */ }
    }
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Project-local Jupyter data dir (goes first in JUPYTER_PATH). */
export function jupyterDataDir(root = projectRoot()): string {
  return path.join(root, '.cv-cache', 'jupyter');
}

export interface KernelSpec { argv: string[]; display_name: string; language: string; env?: Record<string, string>; metadata?: object }

export function kernelSpec(root = projectRoot()): KernelSpec {
  const tslabBin = path.join(root, 'node_modules', 'tslab', 'bin', 'tslab');
  if (!fs.existsSync(tslabBin)) throw new Error(`register-kernel: ${tslabBin} not found: run npm ci (scripts/setup.sh) first`);
  return {
    // Absolute node (the one running this script) + absolute tslab: independent of PATH.
    argv: [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (collab-vision tslab)',
    language: 'typescript',
  };
}

function writeSpec(dir: string, spec: KernelSpec): boolean {
  const file = path.join(dir, 'kernel.json');
  const text = JSON.stringify(spec, null, 2) + '\n';
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
  return true;
}

/** Write (or refresh) the project-local kernel spec. Returns its directory and whether it changed. */
export function ensureKernelSpec(root = projectRoot()): { dir: string; jupyterPath: string; changed: boolean } {
  const jupyterPath = jupyterDataDir(root);
  const dir = path.join(jupyterPath, 'kernels', KERNEL_NAME);
  return { dir, jupyterPath, changed: writeSpec(dir, kernelSpec(root)) };
}

/** Also install into the user's Jupyter data dir (~/.local/share/jupyter or $JUPYTER_DATA_DIR). */
export function installUserKernel(root = projectRoot()): string {
  const base = process.env.JUPYTER_DATA_DIR ?? path.join(os.homedir(), '.local', 'share', 'jupyter');
  const dir = path.join(base, 'kernels', KERNEL_NAME);
  writeSpec(dir, kernelSpec(root));
  return dir;
}

if (require.main === module) {
  try {
    const args = process.argv.slice(2);
    const root = projectRoot();
    const r = ensureKernelSpec(root);
    if (!args.includes('--quiet')) {
      console.log(`tslab kernel spec ${r.changed ? 'written' : 'up to date'}: ${path.join(r.dir, 'kernel.json')}`);
      console.log(`  use it with: JUPYTER_PATH=${r.jupyterPath} jupyter lab   (npm run notebooks sets this itself)`);
    }
    if (args.includes('--user')) console.log(`tslab kernel spec installed for this user: ${installUserKernel(root)}`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
