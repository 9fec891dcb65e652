// Optimisers with PyTorch's update rules, over NamedVar lists (so any subset of a model, several
// models, or one layer can be stepped). Slots (momentum, Adam moments) live in tf.Variables keyed
// by the parameter variable, created on the first update a parameter receives.
import * as tf from '@tensorflow/tfjs';
import type { NamedVar } from '../nn/types';

export interface GradPair { nv: NamedVar; grad: tf.Tensor }

export interface Optimizer {
  readonly kind: 'sgd' | 'adam';
  /** Default learning rate; `apply(grads, lr)` overrides it for one step (schedules). */
  lr: number;
  /** One update of every parameter that has a gradient (parameters without one are skipped, like PyTorch's grad=None). */
  apply(grads: GradPair[], lr?: number): void;
  /** Slot variables with paths `${paramPath}/${slot}` (for checkpoints). */
  stateVars(): NamedVar[];
  /** Restore slots saved by stateVars() for the given params (matched by path). */
  loadState(saved: Map<string, tf.Tensor>, params: NamedVar[]): void;
  dispose(): void;
}

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  /**
   * Apply weight decay to every parameter, as torch.optim.SGD does when given model.parameters().
   * Default false: only NamedVars with decay=true (conv/dense kernels), the common "no decay on
   * BN and bias" choice. Set true to match a PyTorch script that decays everything.
   */
  decayAll?: boolean;
}

interface Slot { path: string; vars: Map<string, tf.Variable>; step: number; stepVar?: tf.Variable }

function slotStore() {
  const slots = new Map<tf.Variable, Slot>();
  return {
    slots,
    get(nv: NamedVar): Slot {
      let s = slots.get(nv.variable);
      if (!s) { s = { path: nv.path, vars: new Map(), step: 0 }; slots.set(nv.variable, s); }
      return s;
    },
    stateVars(): NamedVar[] {
      const out: NamedVar[] = [];
      for (const s of slots.values()) {
        for (const [k, v] of s.vars) out.push({ path: `${s.path}/${k}`, variable: v, decay: false });
        if (!s.stepVar) s.stepVar = tf.tidy(() => tf.variable(tf.scalar(s.step), false));
        else { const v = s.stepVar; tf.tidy(() => v.assign(tf.scalar(s.step))); }
        out.push({ path: `${s.path}/step`, variable: s.stepVar, decay: false });
      }
      return out;
    },
    load(saved: Map<string, tf.Tensor>, params: NamedVar[], names: string[]): void {
      for (const p of params) {
        const stepT = saved.get(`${p.path}/step`);
        if (!stepT) continue;
        const s = this.get(p);
        s.step = stepT.dataSync()[0];
        for (const k of names) {
          const t = saved.get(`${p.path}/${k}`);
          if (!t) continue;
          if (!tf.util.arraysEqual(t.shape, p.variable.shape)) {
            throw new Error(`optimizer state '${p.path}/${k}': shape [${t.shape}] does not match parameter [${p.variable.shape}]`);
          }
          const old = s.vars.get(k);
          if (old) old.assign(t); else s.vars.set(k, tf.variable(t.clone(), false));
        }
      }
    },
    dispose(): void {
      for (const s of slots.values()) {
        for (const v of s.vars.values()) v.dispose();
        s.stepVar?.dispose();
      }
      slots.clear();
    },
  };
}

/**
 * torch.optim.SGD:  g = grad + wd * p;  buf = g (first step) else momentum * buf + (1 - dampening) * g;
 * g = nesterov ? g + momentum * buf : buf;  p = p - lr * g.
 */
export function sgd(o: SgdOptions): Optimizer {
  const momentum = o.momentum ?? 0, damp = o.dampening ?? 0, wd = o.weightDecay ?? 0;
  const nesterov = o.nesterov ?? false;
  if (nesterov && (momentum <= 0 || damp !== 0)) throw new Error('sgd: nesterov needs momentum > 0 and dampening 0 (as PyTorch)');
  if (!(o.lr >= 0)) throw new Error(`sgd: lr must be >= 0, got ${o.lr}`);
  const store = slotStore();
  const opt: Optimizer = {
    kind: 'sgd', lr: o.lr,
    apply(grads, lr = opt.lr) {
      for (const { nv, grad } of grads) {
        const p = nv.variable;
        tf.tidy(() => {
          let g = grad;
          if (wd !== 0 && (nv.decay || o.decayAll)) g = tf.add(g, tf.mul(p, wd));
          if (momentum !== 0) {
            const s = store.get(nv);
            const buf = s.vars.get('momentum');
            if (!buf) s.vars.set('momentum', tf.keep(tf.variable(tf.clone(g), false)));
            else buf.assign(tf.add(tf.mul(buf, momentum), damp === 0 ? g : tf.mul(g, 1 - damp)));
            s.step++;
            const b = s.vars.get('momentum') as tf.Variable;
            g = nesterov ? tf.add(g, tf.mul(b, momentum)) : b;
          }
          p.assign(tf.sub(p, tf.mul(g, lr)));
        });
      }
    },
    stateVars: () => store.stateVars(),
    loadState: (saved, params) => store.load(saved, params, ['momentum']),
    dispose: () => store.dispose(),
  };
  return opt;
}

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** AdamW: decoupled decay p *= 1 - lr * wd instead of L2 added to the gradient. */
  decoupled?: boolean;
  decayAll?: boolean;
}

/**
 * torch.optim.Adam / AdamW: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 */
export function adam(o: AdamOptions = {}): Optimizer {
  const b1 = o.beta1 ?? 0.9, b2 = o.beta2 ?? 0.999, eps = o.eps ?? 1e-8, wd = o.weightDecay ?? 0;
  const store = slotStore();
  const opt: Optimizer = {
    kind: 'adam', lr: o.lr ?? 1e-3,
    apply(grads, lr = opt.lr) {
      for (const { nv, grad } of grads) {
        const p = nv.variable;
        const s = store.get(nv);
        s.step++;
        const t = s.step;
        tf.tidy(() => {
          let g = grad;
          const decays = wd !== 0 && (nv.decay || o.decayAll);
          if (decays && o.decoupled) p.assign(tf.mul(p, 1 - lr * wd));
          else if (decays) g = tf.add(g, tf.mul(p, wd));
          let m = s.vars.get('m'), v = s.vars.get('v');
          if (!m) { m = tf.keep(tf.variable(tf.zerosLike(p), false)); s.vars.set('m', m); }
          if (!v) { v = tf.keep(tf.variable(tf.zerosLike(p), false)); s.vars.set('v', v); }
          m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
          v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
          const bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
          const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
          p.assign(tf.sub(p, tf.mul(tf.div(m, denom), lr / bc1)));
        });
      }
    },
    stateVars: () => store.stateVars(),
    loadState: (saved, params) => store.load(saved, params, ['m', 'v']),
    dispose: () => store.dispose(),
  };
  return opt;
}
