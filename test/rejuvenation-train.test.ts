import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { runComparison, runRounds, runCompression, runMechanics, runCounts, digitsConfig } from '../lib/papers/rejuvenation';

// fixed-lambda mode (reference CIFAR script) from the first step, so neurons die within the tiny pre-phase
const tiny = { steps: 132, preCap: 88, checkEvery: 22, evalEvery: 22, lambda: { fixed: 0.01, Tr: 0.5 } };

describe('rejuvenation: runners with tiny budgets', () => {
  it('mechanics reproduce the spec values', () => {
    const m = runMechanics();
    assert.equal(m.utilization.params.U, 209); assert.equal(m.utilization.flops.U, 7232);
    assert.equal(m.utilization.bruteForceU, 209);
    assert.deepEqual(m.realloc.bisection.widths, [11, 14, 14]);
    assert.equal(m.lambdaTrace[7].trigger, true);
  });
  it('counts runner matches the thesis within rounding', () => {
    const c = runCounts();
    for (const r of c.rows) if (r.reported !== null) assert.ok(Math.abs(r.counted - r.reported) / r.reported < 0.006, `${r.model}: ${r.counted} vs ${r.reported}`);
  });
  it('comparison: equal steps, NR events preserve the S path, no tensor leak', async () => {
    const before = tf.memory().numTensors;
    const res = await runComparison({ seeds: [0], variants: ['NR-CR', 'NR', 'NR-CA-BR'], config: tiny });
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    assert.equal(res.runs.length, 4);
    for (const r of res.runs) {
      assert.equal(r.steps, 132, `${r.label} steps`);
      assert.ok(r.finalAcc > 0.1 && r.finalAcc <= 1);
      if (r.label === 'BL') { assert.equal(r.events.length, 0); assert.ok(r.checks.every((c) => c.lambda === 0 && c.r > 0.9)); continue; }
      const e = r.events[0];
      assert.equal(e.step, 88);
      assert.ok(e.report.rejuvenated.every((n) => n >= 1), 'new neurons in every layer');
      assert.ok(e.r < 1, `r at NR ${e.r}`);
      // the S head right after surgery computes exactly what the pruned network computed
      assert.equal(e.sHeadAccAfter, e.prunedAccBefore);
      assert.ok(e.report.costAfter <= e.report.target && e.report.costAfter >= 0.9 * e.report.target, `${r.label} cost ${e.report.costAfter}`);
      assert.equal(r.headAcc.length, 2);
    }
    assert.ok(res.backend.length > 0 && res.wallTimeMs > 0);
  });
  it('rounds: budget per round, one more disjoint group per CR round', async () => {
    const rr = await runRounds({ seed: 1, maxRounds: 2, config: { ...tiny, steps: 264 } });
    assert.equal(rr.runs.length, 2);
    assert.deepEqual(rr.runs.map((r) => r.rounds), [1, 2]);
    assert.ok(rr.runs.every((r) => r.steps === 264 && r.events.every((e) => e.step <= 264 - 66)), 'round budget');
    assert.equal(rr.runs[1].headAcc.length, 3, 'two CR rounds -> three disjoint groups with their own heads');
  });
  it('compression mode ends at 0.5 C with rejuvenated neurons, unlike pruning (T_r = 0.25 fallback path)', async () => {
    const before = tf.memory().numTensors;
    // 88 fixed-lambda steps cannot reach T_r = 0.25, so this exercises the documented fallback
    const c = await runCompression({ seeds: [0], config: { ...tiny, steps: 154, lambda: { fixed: 0.01 } } });
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    const [nrRun, slim, dead] = c.runs;
    assert.deepEqual(c.runs.map((r) => r.label), ['NR-CR 0.5C', 'slimming 0.5C', 'prune dead']);
    assert.ok(c.runs.every((r) => r.steps === 154), 'equal steps');
    const p = c.perSeed[0], e = nrRun.events[0];
    // survivors at (or below) T_r C before the widening, reached directly or via the fallback
    assert.ok(e.report.liveBefore <= 0.25 * c.C0, `U at NR ${e.report.liveBefore} vs ${0.25 * c.C0}`);
    if (!p.reachedTr) assert.ok(p.extraDropped > 0 && e.forced);
    // the compressed network has the target cost, realised by new (R) neurons in every layer
    assert.ok(nrRun.convParams <= 0.5 * c.C0 && nrRun.convParams >= 0.95 * 0.5 * c.C0, `NR cost ${nrRun.convParams} vs ${0.5 * c.C0}`);
    assert.equal(e.report.costAfter, nrRun.convParams);
    assert.ok(e.report.rejuvenated.every((n) => n >= 1), 'R neurons in every layer');
    assert.equal(nrRun.headAcc.length, 2, 'S and R heads');
    // slimming: same cost, no new neurons; prune-dead: only the dead removed, far below 0.5 C
    assert.ok(slim.convParams <= 0.5 * c.C0 && slim.convParams >= 0.95 * 0.5 * c.C0, `slimming cost ${slim.convParams}`);
    assert.equal(slim.headAcc.length, 1);
    assert.notDeepEqual(nrRun.widths, slim.widths);
    assert.ok(Math.abs(dead.convParams - p.rAtStop * c.C0) < 1, `prune dead keeps exactly the survivors: ${dead.convParams} vs ${p.rAtStop * c.C0}`);
    if (p.reachedTr) assert.ok(dead.convParams < nrRun.convParams);
    assert.notDeepEqual(nrRun.widths, dead.widths);
    assert.ok(nrRun.finalAcc > 0.1 && slim.finalAcc > 0.1 && dead.finalAcc > 0.1);
    await assert.rejects(runCompression({ seeds: [0], config: { ...tiny, lambda: { Tr: 0.6 } } }), /T_r \(0.6\) must be below the target fraction 0.5/);
  });
  it('bad options name the problem', async () => {
    await assert.rejects(runComparison({ seeds: [0], variants: ['NR-XX'], config: tiny }), /unknown NR variant 'NR-XX'/);
    await assert.rejects(runRounds({ variant: 'NR-CA', maxRounds: 2, config: tiny }), /one NR round only/);
    assert.equal(digitsConfig().checkEvery, 22);
  });
});
