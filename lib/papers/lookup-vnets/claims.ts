// Plain-words verdicts on the paper's claims, computed from the numbers a run actually produced
// (so the notebook's conclusions never disagree with its outputs).
import type { CmpSweepResult, DimSweepResult, StrategiesResult, InitAblationResult, Summary } from './experiments';

const p = (v: number) => `${(100 * v).toFixed(1)}%`;
const range = (s: Summary) => (s.n > 1 ? ` (seeds ${p(s.min)}-${p(s.max)})` : '');

/** Q1/Q2: "the vector dimension has almost no influence". Within noise = the spread of the means is at most the largest seed range (or 2 points). */
export function dimVerdict(r: DimSweepResult): string {
  const std = r.summary.find((s) => s.model === 'Standard')!;
  const dims = r.summary.filter((s) => s.model !== 'Standard');
  const means = dims.map((s) => s.mean);
  const spread = Math.max(...means) - Math.min(...means);
  const noise = Math.max(0.02, ...r.summary.map((s) => s.max - s.min));
  const gap = Math.max(...means.map((m) => Math.abs(m - std.mean)));
  const lines = [
    `Standard network: ${p(std.mean)}${range(std)}. Lookup-VNets: ${dims.map((s) => `${s.model} ${p(s.mean)}${range(s)}`).join(', ')}.`,
    `Spread of the Lookup-VNet means over u: ${(100 * spread).toFixed(1)} points; largest gap to the standard network: ${(100 * gap).toFixed(1)} points; seed noise (largest seed range, at least 2 points): ${(100 * noise).toFixed(1)} points.`,
    spread <= noise && gap <= noise
      ? noise <= 0.05
        ? 'Verdict: the claim holds at this scale. The vector dimension makes no difference beyond seed noise, and neither does replacing the fixed input by learned tables.'
        : `Verdict: not contradicted, but not confirmed either. Every difference stays within the seed noise, and that noise (${(100 * noise).toFixed(1)} points) is too large to show "no influence of u"; more seeds or longer training would be needed.`
      : spread <= noise
        ? 'Verdict: the dimension itself makes no difference beyond seed noise, but Lookup-VNets as a group differ from the standard network by more than the noise.'
        : 'Verdict: at this scale the vector dimension changes accuracy by more than seed noise, so the claim does not hold here. Short training and a small data set may be the cause.',
  ];
  const first = dims[0], last = dims[dims.length - 1];
  if (dims.length >= 2 && last.mean < first.mean - 0.03) {
    lines.push(`The means still fall as u grows (${first.model} ${p(first.mean)} -> ${last.model} ${p(last.mean)}). With ${r.seeds.length} seeds this trend cannot be told apart from noise. The input-scale note at the end of the notebook gives a likely cause.`);
  }
  return lines.join('\n');
}

/** Q3: accuracy vs c: largest c without drop, collapse at c = 256, 2-3 colours still above chance. */
export function cmpVerdict(r: CmpSweepResult, name: string, designed?: number): string {
  const get = (c: number) => r.summary.find((s) => s.model === `CMP ${c}`);
  const lines = [`${name}: standard ${p(r.standard.mean)}, chance ${p(r.chance)}; ` + r.summary.map((s) => `${s.model.replace('CMP ', 'c=')} ${p(s.mean)}`).join(', ') + '.'];
  lines.push(r.largestNoDrop !== null
    ? `Largest c without a drop against max(standard, c = 1) (tolerance ${(100 * r.tolerance).toFixed(1)} points): c = ${r.largestNoDrop}, a nominal colour-space compression of ${r.largestNoDrop ** 3}x.`
    : 'Every swept c lost accuracy compared with the reference.');
  if (r.largestNearBest !== null && r.largestNearBest !== r.largestNoDrop) {
    lines.push(`Against the best accuracy of the sweep instead, the largest c without a drop is c = ${r.largestNearBest}. The two readings differ because the reference network is under-trained at this budget.`);
  }
  const c256 = get(256);
  if (c256) lines.push(Math.abs(c256.mean - r.chance) <= 0.05 ? `c = 256 (one colour per channel) is at chance (${p(c256.mean)}), as in the paper.` : `c = 256 gave ${p(c256.mean)}, which is not at chance (${p(r.chance)}).`);
  for (const c of [128, 100]) {
    const s = get(c);
    if (s) lines.push(`c = ${c} (${c === 128 ? 2 : 3} colours per channel): ${p(s.mean)}, which is ${s.mean > r.chance + 0.1 ? 'well above' : 'not clearly above'} chance.`);
  }
  if (designed) {
    const below = r.summary.filter((s) => Number(s.model.replace('CMP ', '')) <= designed).sort((a, b) => Number(a.model.replace('CMP ', '')) - Number(b.model.replace('CMP ', '')));
    if (below.length >= 2 && below[below.length - 1].mean > below[0].mean + 0.1) {
      lines.push(`Up to the designed threshold, coarser tables scored higher here (${below.map((s) => p(s.mean)).join(' -> ')}). Fewer entries, each seen more often, learn faster in a short run. The paper did not report this.`);
    }
    const at = get(designed), over = get(2 * designed);
    if (at && over) lines.push(`Designed threshold c = w = ${designed}: ${p(at.mean)} at c = ${designed}, ${p(over.mean)} at c = ${2 * designed}. ${at.mean > over.mean + 0.2 ? 'The collapse past the designed threshold is reproduced.' : 'The collapse past the designed threshold is not clear at this budget.'}`);
  }
  return lines.join('\n');
}

/** Q4: cross-network ~ single network; cross-task can help. */
export function strategyVerdict(r: StrategiesResult): string {
  const find = (strategy: string, network: string, taskPrefix?: string) =>
    r.summary.find((s) => s.strategy === strategy && s.network === network && (!taskPrefix || s.task.startsWith(taskPrefix)));
  const lines: string[] = [];
  const noise = Math.max(0.02, ...r.summary.map((s) => s.max - s.min));
  for (const net of ['microResNet', 'microVGG']) {
    const single = r.summary.find((s) => s.strategy === 'single' && s.network === net && !s.task.startsWith('p ')), cross = find('cross-network', net);
    if (single && cross) {
      const d = cross.mean - single.mean;
      lines.push(`${net}: single ${p(single.mean)}, cross-network ${p(cross.mean)} (${d >= 0 ? '+' : ''}${(100 * d).toFixed(1)} points; noise ${(100 * noise).toFixed(1)}): ${Math.abs(d) <= noise ? 'within noise, as the paper says' : d > 0 ? 'cross-network helped here' : 'cross-network hurt here'}.`);
    }
  }
  const singles = r.summary.filter((s) => s.strategy === 'single' && !s.task.startsWith('p '));
  if (singles.length && Math.max(...singles.map((s) => s.mean)) < 0.6) {
    lines.push('All single-network Lookup-VNets are still far from converged at this budget, so the cross-network comparison is weak evidence either way.');
  }
  const alone = find('single', 'microVGG', 'p '), ct = find('cross-task', 'microVGG', 'p ');
  if (alone && ct) {
    const d = ct.mean - alone.mean;
    lines.push(`Task p: alone ${p(alone.mean)}${range(alone)}, with task q sharing the tables ${p(ct.mean)}${range(ct)}: ${d > noise ? 'cross-task learning helped, as the paper says' : d < -noise ? 'cross-task learning hurt' : 'no difference beyond noise'}. Caveat: with the same number of p steps, the shared tables received twice as many updates.`);
  }
  return lines.join('\n');
}

export function initVerdict(r: InitAblationResult, name: string): string {
  return `${name}: ` + r.summary.map((s) => `${s.model} ${p(s.mean)}${range(s)}`).join(', ') + '.';
}
