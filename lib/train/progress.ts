// Terminal progress: an in-place bar when stdout is a TTY, otherwise a plain line every `every`
// steps and at the end of each epoch (logs, CI, notebooks).
export interface Progress {
  update(step: number, total: number, fields: Record<string, number>): void;
  end(line: string): void;
}

function fmt(fields: Record<string, number>): string {
  return Object.entries(fields).map(([k, v]) => `${k} ${Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4)}`).join('  ');
}

export function makeProgress(label: string, mode: boolean | 'auto', every = 0, out: NodeJS.WriteStream = process.stdout): Progress {
  const enabled = mode !== false;
  const tty = enabled && mode === 'auto' ? !!out.isTTY : enabled && !!out.isTTY;
  let t0 = Date.now();
  return {
    update(step, total, fields) {
      if (!enabled) return;
      if (tty) {
        const width = 24, frac = total > 0 ? Math.min(1, step / total) : 0;
        const filled = Math.round(frac * width);
        const rate = step / Math.max(1e-3, (Date.now() - t0) / 1000);
        const bar = total > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${total}` : `step ${step}`;
        out.write(`\r${label} ${bar} ${rate.toFixed(1)} it/s  ${fmt(fields)}\x1b[K`);
      } else if (every > 0 && step % every === 0) {
        out.write(`${label} ${total > 0 ? `${step}/${total}` : `step ${step}`}  ${fmt(fields)}\n`);
      }
    },
    end(line) {
      if (!enabled) return;
      out.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
      t0 = Date.now();
    },
  };
}
