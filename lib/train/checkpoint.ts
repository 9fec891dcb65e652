// Checkpoints as files, through tfjs io (tf.io.encodeWeights / decodeWeights: the weights.bin +
// weightSpecs layout of tfjs model artifacts), written atomically:
//   dir/ckpt-000012/{checkpoint.json, weights.bin}   one complete version per save
//   dir/latest.json                                  pointer to the newest complete version
// A save writes a fresh temp folder, fsyncs, renames it to its final name, then replaces
// latest.json by rename(2) (atomic on POSIX). A crash at any point leaves latest.json naming the
// previous complete checkpoint.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { NamedVar } from '../nn/types';

export const CHECKPOINT_FORMAT = 'collab-vision-checkpoint/1';

export interface CheckpointInfo {
  format: string;
  version: number;
  createdAt: string;
  meta: Record<string, unknown>;
  weightSpecs: tf.io.WeightsManifestEntry[];
}

export interface SaveOptions {
  /** Keep this many versions (default 2). */
  keep?: number;
  /** Test hook: called after the weights are written, before anything is committed. */
  beforeCommit?: () => void;
}

function writeFileSynced(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try { if (typeof data === "string") fs.writeSync(fd, data); else fs.writeSync(fd, data); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
}

function readPointer(dir: string): string | null {
  const p = path.join(dir, 'latest.json');
  if (!fs.existsSync(p)) return null;
  const j = JSON.parse(fs.readFileSync(p, 'utf8')) as { latest?: string };
  return j.latest ?? null;
}

/** Save `vars` (by path) and `meta` (JSON) as a new checkpoint version in `dir`. Returns its folder. */
export async function saveCheckpoint(dir: string, vars: NamedVar[], meta: Record<string, unknown> = {}, o: SaveOptions = {}): Promise<string> {
  const seen = new Set<string>();
  const map: tf.NamedTensorMap = {};
  for (const v of vars) {
    if (seen.has(v.path)) throw new Error(`saveCheckpoint: duplicate variable path '${v.path}'`);
    seen.add(v.path);
    map[v.path] = v.variable;
  }
  fs.mkdirSync(dir, { recursive: true });
  const { data, specs } = await tf.io.encodeWeights(map);
  const prev = readPointer(dir);
  const n = prev ? parseInt(prev.replace(/^ckpt-/, ''), 10) + 1 : 0;
  const name = `ckpt-${String(n).padStart(6, '0')}`;
  const tmp = fs.mkdtempSync(path.join(dir, '.tmp-'));
  try {
    const info: CheckpointInfo = { format: CHECKPOINT_FORMAT, version: n, createdAt: new Date().toISOString(), meta, weightSpecs: specs };
    writeFileSynced(path.join(tmp, 'weights.bin'), new Uint8Array(data));
    writeFileSynced(path.join(tmp, 'checkpoint.json'), JSON.stringify(info, null, 1));
    o.beforeCommit?.();
    const final = path.join(dir, name);
    fs.rmSync(final, { recursive: true, force: true }); // a stale folder from an earlier crash
    fs.renameSync(tmp, final);
    const ptmp = path.join(dir, `.latest-${process.pid}-${Date.now()}.json`);
    writeFileSynced(ptmp, JSON.stringify({ latest: name }));
    fs.renameSync(ptmp, path.join(dir, 'latest.json'));
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  // Prune old versions (after the commit, so a crash here only leaves extra folders).
  const keep = Math.max(1, o.keep ?? 2);
  const versions = fs.readdirSync(dir).filter((f) => /^ckpt-\d+$/.test(f)).sort();
  for (const old of versions.slice(0, Math.max(0, versions.length - keep))) fs.rmSync(path.join(dir, old), { recursive: true, force: true });
  return path.join(dir, name);
}

export interface LoadedCheckpoint {
  /** Tensors by path; owned by the caller (dispose them, or pass `into` to load and free). */
  tensors: Map<string, tf.Tensor>;
  meta: Record<string, unknown>;
  version: number;
  folder: string;
}

/**
 * Load the newest complete checkpoint of `dir`. With `into`, assign every variable of `into` from
 * the tensor of the same path (shape-checked; missing paths are an error unless `strict: false`)
 * and dispose the loaded tensors.
 */
export async function loadCheckpoint(dir: string, into?: NamedVar[], o: { strict?: boolean } = {}): Promise<LoadedCheckpoint> {
  if (!fs.existsSync(dir)) throw new Error(`loadCheckpoint: no such directory '${dir}'`);
  const name = readPointer(dir);
  if (!name) throw new Error(`loadCheckpoint: '${dir}' holds no checkpoint (latest.json is missing)`);
  const folder = path.join(dir, name);
  const infoPath = path.join(folder, 'checkpoint.json');
  if (!fs.existsSync(infoPath)) throw new Error(`loadCheckpoint: '${infoPath}' is missing (latest.json points to an incomplete checkpoint)`);
  const info = JSON.parse(fs.readFileSync(infoPath, 'utf8')) as CheckpointInfo;
  if (info.format !== CHECKPOINT_FORMAT) throw new Error(`loadCheckpoint: '${infoPath}' has format '${info.format}', expected '${CHECKPOINT_FORMAT}'`);
  const buf = fs.readFileSync(path.join(folder, 'weights.bin'));
  const expected = info.weightSpecs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0);
  if (buf.byteLength !== expected) {
    throw new Error(`loadCheckpoint: '${folder}/weights.bin' has ${buf.byteLength} bytes, the specs need ${expected}`);
  }
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const named = tf.io.decodeWeights(ab, info.weightSpecs);
  const tensors = new Map(Object.entries(named));
  if (into) {
    const strict = o.strict ?? true;
    for (const v of into) {
      const t = tensors.get(v.path);
      if (!t) {
        if (strict) { tf.dispose([...tensors.values()]); throw new Error(`loadCheckpoint: checkpoint has no variable '${v.path}'`); }
        continue;
      }
      if (!tf.util.arraysEqual(t.shape, v.variable.shape)) {
        tf.dispose([...tensors.values()]);
        throw new Error(`loadCheckpoint: '${v.path}' has shape [${t.shape}] in the checkpoint but [${v.variable.shape}] in the model`);
      }
      v.variable.assign(t);
    }
    tf.dispose([...tensors.values()]);
    tensors.clear();
  }
  return { tensors, meta: info.meta, version: info.version, folder };
}
