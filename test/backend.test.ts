import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend, backendReport } from '../lib/backend';

describe('backend selection', () => {
  it('activates a backend and says why the others were skipped', async () => {
    const r = await initBackend({ verbose: false });
    assert.strictEqual(tf.getBackend(), r.tfName);
    // On a machine without libtensorflow both native backends must be reported as skipped
    // (unless CV_BACKEND forced one backend, so that no other was tried).
    const forced = process.env.CV_BACKEND && process.env.CV_BACKEND !== 'auto';
    if (!forced && (r.name === 'wasm' || r.name === 'cpu')) {
      assert.ok(r.skipped.some((s) => s.name === 'tensorflow-gpu'), 'tensorflow-gpu skip reason missing');
      assert.ok(r.skipped.every((s) => s.reason.length > 10));
    }
    assert.strictEqual(backendReport(), r);
  });

  it('rejects an unknown backend name with a clear error', async () => {
    await assert.rejects(() => initBackend({ backend: 'tpu' as never, verbose: false }), /Unknown backend 'tpu'/);
  });
});
