import * as assert from 'assert';
import * as path from 'path';
import * as train from '../lib/train';
import { tinyRegression } from '../lib/train/selftest-task';

const taskModule = path.join(__dirname, '..', 'lib', 'train', 'selftest-task.js');

describe('train: runParallel', () => {
  it('runs tasks on 2 worker threads, returns results in task order, equal to a main-thread run', async () => {
    const seeds = [3, 1, 4, 1];
    const res = await train.runParallel<Awaited<ReturnType<typeof tinyRegression>>>(
      seeds.map((seed) => ({ module: taskModule, fn: 'tinyRegression', config: { seed, steps: 4 } })), { workers: 2 });
    assert.deepStrictEqual(res.map((r) => r.seed), seeds);
    assert.strictEqual(new Set(res.map((r) => r.threadId)).size, 2, 'two distinct worker threads');
    assert.ok(res.every((r) => r.threadId !== 0));
    const local = await tinyRegression({ seed: 3, steps: 4 });
    assert.strictEqual(res[0].backend, local.backend);
    res[0].losses.forEach((l, i) => assert.ok(Math.abs(l - local.losses[i]) < 1e-6, `loss ${i}: ${l} vs ${local.losses[i]}`));
    assert.deepStrictEqual(res[1].losses, res[3].losses, 'same seed, same result');
  });

  it('runSeeds runs one function over seeds, in seed order', async () => {
    const res = await train.runSeeds<{ seed: number; losses: number[] }>(taskModule, 'tinyRegression', { steps: 2 }, [7, 8], { workers: 2 });
    assert.deepStrictEqual(res.map((r) => r.seed), [7, 8]);
    assert.notDeepStrictEqual(res[0].losses, res[1].losses);
  });

  it('propagates a task error naming the task', async () => {
    await assert.rejects(() => train.runParallel([
      { module: taskModule, fn: 'tinyRegression', config: { seed: 1, steps: 2 } },
      { module: taskModule, fn: 'tinyRegression', config: { seed: 2, failAt: 1 }, name: 'seed-2' },
    ], { workers: 2 }), /task 1 'seed-2' .* failed: deliberate failure at step 1/);
    await assert.rejects(() => train.runParallel([{ module: taskModule, fn: 'nope' }], { workers: 1 }), /has no exported function 'nope'/);
    await assert.rejects(() => train.runParallel([{ module: '/no/such/module', fn: 'f' }]), /module '\/no\/such\/module' not found/);
  });
});
