// File access shared by the readers: every error names the file, gzip is detected by its magic
// bytes (not the extension), so `foo.gz` that is really raw and raw files both work.
import * as fs from 'fs';
import * as zlib from 'zlib';

export function readFileChecked(path: string, what: string): Buffer {
  if (!fs.existsSync(path)) throw new Error(`${what}: file not found: ${path}`);
  const st = fs.statSync(path);
  if (!st.isFile()) throw new Error(`${what}: not a regular file: ${path}`);
  return fs.readFileSync(path);
}

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Read a file, gunzipping it when it starts with the gzip magic. */
export function readMaybeGzip(path: string, what: string): Buffer {
  const raw = readFileChecked(path, what);
  if (!isGzip(raw)) return raw;
  try {
    return zlib.gunzipSync(raw);
  } catch (e) {
    throw new Error(`${what}: ${path} looks gzip-compressed but does not decompress (${(e as Error).message}); the file is truncated or corrupt`);
  }
}

/** A Uint8Array view of a Buffer region, without copying. */
export function view(b: Buffer, offset = 0, length = b.length - offset): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset + offset, length);
}
