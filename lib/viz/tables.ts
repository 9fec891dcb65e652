// Result tables as danfojs-node DataFrames: build from rows, show as HTML in notebooks (plain text in
// a terminal), and put the paper's numbers beside ours. danfojs-node is loaded lazily (it takes
// ~2 s) and we check it leaves the active tfjs backend alone.
import * as tf from '@tensorflow/tfjs';
import { emitBundle, inNotebook } from './kernel';

type Danfo = typeof import('danfojs-node');
export type DataFrame = InstanceType<Danfo['DataFrame']>;
export type Cell = string | number | boolean | null;

let danfoMod: Danfo | undefined;
/** The danfojs-node module (lazy). Restores the tfjs backend if loading it switched backends. */
export function danfo(): Danfo {
  if (!danfoMod) {
    const before = tf.getBackend();
    danfoMod = require('danfojs-node') as Danfo;
    if (before && tf.getBackend() !== before) tf.setBackend(before);
  }
  return danfoMod;
}

const captions = new WeakMap<object, string>();

export interface TableOptions {
  /** Column order / subset (default: keys in order of first appearance). */
  columns?: string[];
  caption?: string;
}

/**
 * A DataFrame from rows (`[{method: 'ours', acc: 91.2}, ...]`) or columns (`{method: [...], acc: [...]}`).
 * Missing cells become null; a column must not mix numbers and strings (danfo needs one dtype).
 */
export function table(data: Record<string, unknown>[] | Record<string, unknown[]>, opts: TableOptions = {}): DataFrame {
  let rows: Record<string, unknown>[];
  if (Array.isArray(data)) rows = data;
  else if (data && typeof data === 'object') {
    const cols = Object.entries(data);
    const n = cols.length ? cols[0][1].length : 0;
    for (const [k, v] of cols) if (!Array.isArray(v) || v.length !== n) throw new Error(`viz.table: column '${k}' has ${Array.isArray(v) ? v.length : 'no'} values, expected ${n}`);
    rows = Array.from({ length: n }, (_, i) => Object.fromEntries(cols.map(([k, v]) => [k, v[i]])));
  } else throw new Error('viz.table: data must be an array of row objects or an object of columns');
  if (rows.length === 0) throw new Error('viz.table: no rows');
  const columns = opts.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  for (const c of columns) if (!rows.some((r) => c in r)) throw new Error(`viz.table: unknown column '${c}' (have ${[...new Set(rows.flatMap((r) => Object.keys(r)))].join(', ')})`);
  const matrix = rows.map((r) => columns.map((c) => normalise(r[c])));
  const df = new (danfo().DataFrame)(matrix, { columns });
  if (opts.caption) captions.set(df, opts.caption);
  return df;
}

function normalise(v: unknown): Cell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

/** Columns and rows of a DataFrame as plain arrays. */
export function tableData(df: DataFrame): { columns: string[]; rows: Cell[][] } {
  return { columns: df.columns.map(String), rows: (df.values as unknown[][]).map((r) => r.map(normalise)) };
}

export interface FormatOptions {
  /** Decimal places for non-integer numbers (default 2); per column with an object. */
  digits?: number | Record<string, number>;
  caption?: string;
}

function fmt(v: Cell, digits: number, allInt: boolean): string {
  if (v === null || (typeof v === 'number' && Number.isNaN(v))) return '—';
  if (typeof v === 'number') return allInt ? String(v) : v.toFixed(digits);
  return String(v);
}

function digitsFor(col: string, d: FormatOptions['digits']): number {
  if (typeof d === 'number') return d;
  return d && col in d ? d[col] : 2;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Cell strings plus, per column, whether it holds numbers (right-aligned). */
function formatted(df: DataFrame, opts: FormatOptions): { columns: string[]; cells: string[][]; numeric: boolean[] } {
  const { columns, rows } = tableData(df);
  const numeric = columns.map((_, j) => rows.some((r) => typeof r[j] === 'number'));
  const allInt = columns.map((_, j) => rows.every((r) => typeof r[j] !== 'number' || Number.isInteger(r[j])));
  const cells = rows.map((r) => r.map((v, j) => fmt(v, digitsFor(columns[j], opts.digits), allInt[j])));
  return { columns, cells, numeric };
}

/** HTML table (numbers right-aligned with fixed decimals, missing values as an em dash). */
export function tableHTML(df: DataFrame, opts: FormatOptions = {}): string {
  const { columns, cells, numeric } = formatted(df, opts);
  const caption = opts.caption ?? captions.get(df);
  const right = ' style="text-align:right"';
  const head = columns.map((c, j) => `<th${numeric[j] ? right : ''}>${esc(c)}</th>`).join('');
  const body = cells.map((r) => '<tr>' + r.map((v, j) => `<td${numeric[j] ? right : ''}>${esc(v)}</td>`).join('') + '</tr>').join('\n');
  return `<table class="cv-table">${caption ? `<caption>${esc(caption)}</caption>` : ''}\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

/** Plain-text table with aligned columns (for terminals and text/plain). */
export function tableText(df: DataFrame, opts: FormatOptions = {}): string {
  const { columns, cells, numeric } = formatted(df, opts);
  const all = [columns, ...cells];
  const widths = columns.map((_, j) => Math.max(...all.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((s, j) => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]))).join('  ').trimEnd();
  const caption = opts.caption ?? captions.get(df);
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  return (caption ? caption + '\n' : '') + out.join('\n');
}

/** Show a DataFrame: HTML (+ text/plain) output in a notebook, aligned text in a terminal. */
export function showTable(df: DataFrame, opts: FormatOptions = {}): void {
  if (inNotebook()) emitBundle({ 'text/html': tableHTML(df, opts), 'text/plain': tableText(df, opts) });
  else console.log(tableText(df, opts));
}

export interface PaperOptions {
  /** Column identifying a row in both tables (e.g. 'method'). */
  key: string;
  /** Metric columns to compare (default: every numeric column of the paper rows). */
  metrics?: string[];
  /** Add a `<metric> Δ` column = ours - paper (default true). */
  diff?: boolean;
  caption?: string;
}

/**
 * Put the paper's numbers beside ours: for each metric m, columns `m (paper)`, `m (ours)` and
 * `m Δ`. Rows are the union of keys (ours first, in order); a number missing on either side is null.
 *   withPaper([{method: 'baseline', acc: 90.1}], [{method: 'baseline', acc: 91.3}], {key: 'method'})
 */
export function withPaper(
  ours: Record<string, unknown>[],
  paper: Record<string, unknown>[],
  opts: PaperOptions,
): DataFrame {
  const { key } = opts;
  for (const [what, rows] of [['ours', ours], ['paper', paper]] as const) {
    rows.forEach((r, i) => { if (!(key in r)) throw new Error(`viz.withPaper: ${what} row ${i} has no key column '${key}'`); });
  }
  const metrics = opts.metrics ?? [...new Set(paper.flatMap((r) => Object.keys(r).filter((k) => k !== key && typeof r[k] === 'number')))];
  if (metrics.length === 0) throw new Error('viz.withPaper: no metrics to compare (give opts.metrics or numeric paper columns)');
  const keys = [...new Set([...ours.map((r) => String(r[key])), ...paper.map((r) => String(r[key]))])];
  const find = (rows: Record<string, unknown>[], k: string) => rows.find((r) => String(r[key]) === k);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const rows = keys.map((k) => {
    const o = find(ours, k), p = find(paper, k);
    const row: Record<string, unknown> = { [key]: k };
    for (const m of metrics) {
      const pv = num(p?.[m]), ov = num(o?.[m]);
      row[`${m} (paper)`] = pv;
      row[`${m} (ours)`] = ov;
      if (opts.diff !== false) row[`${m} Δ`] = pv !== null && ov !== null ? ov - pv : null;
    }
    return row;
  });
  return table(rows, { caption: opts.caption });
}
