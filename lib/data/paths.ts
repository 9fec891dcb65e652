// Where the shipped data lives. The compiled lib sits in dist/lib/data (or a helper's dist-*/),
// and notebooks run from notebooks/, so we walk up from this file until a folder holds
// data/SHA256SUMS (the marker that it is this repo's data dir). CV_DATA_DIR overrides.
import * as fs from 'fs';
import * as path from 'path';

const MARKER = 'SHA256SUMS';

export function dataDir(): string {
  const env = process.env.CV_DATA_DIR;
  if (env !== undefined && env !== '') {
    if (!fs.existsSync(env) || !fs.statSync(env).isDirectory()) {
      throw new Error(`dataDir: CV_DATA_DIR=${env} is not a directory`);
    }
    return path.resolve(env);
  }
  const tried: string[] = [];
  for (const start of [__dirname, process.cwd()]) {
    let dir = path.resolve(start);
    for (;;) {
      const cand = path.join(dir, 'data');
      tried.push(cand);
      if (fs.existsSync(path.join(cand, MARKER))) return cand;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error(`dataDir: no data/${MARKER} found above ${__dirname} or ${process.cwd()}; set CV_DATA_DIR or run \`npm run data\` (scripts/fetch-data.sh). Tried: ${tried.slice(0, 6).join(', ')}...`);
}

/** Path of a file inside the data dir; throws naming the file and how to get it when missing. */
export function dataFile(...parts: string[]): string {
  const p = path.join(dataDir(), ...parts);
  if (!fs.existsSync(p)) throw new Error(`dataFile: ${p} is missing; run \`npm run data\` (scripts/fetch-data.sh) to rebuild data/`);
  return p;
}
