// The two optimisers SeqNet's main.py offers, with PyTorch's update rules: SGD with momentum and
// weight decay (d = g + wd·p; buf = m·buf + d; p -= lr·buf), and Adam (weight decay added to the
// gradient the same way, bias-corrected moments, eps 1e-8).

export interface OptimizerConfig {
  kind: 'sgd' | 'adam';
  lr: number;
  momentum: number;
  weightDecay: number;
}

export interface Optimizer {
  /** One update of every parameter array from its gradient, at learning rate lr. */
  step(params: readonly Float32Array[], grads: readonly Float32Array[], lr: number): void;
}

export function createOptimizer(config: OptimizerConfig, sizes: readonly number[]): Optimizer {
  return config.kind === 'sgd' ? new Sgd(config, sizes) : new Adam(config, sizes);
}

class Sgd implements Optimizer {
  private readonly buffers: Float32Array[];
  private started = false;

  constructor(
    private readonly config: OptimizerConfig,
    sizes: readonly number[],
  ) {
    this.buffers = sizes.map((n) => new Float32Array(n));
  }

  step(params: readonly Float32Array[], grads: readonly Float32Array[], lr: number): void {
    const { momentum, weightDecay } = this.config;
    params.forEach((p, i) => {
      const g = grads[i];
      const buf = this.buffers[i];
      for (let j = 0; j < p.length; j++) {
        const d = g[j] + weightDecay * p[j];
        // PyTorch initialises the buffer with the first gradient (no dampening).
        buf[j] = this.started ? momentum * buf[j] + d : d;
        p[j] -= lr * buf[j];
      }
    });
    this.started = true;
  }
}

class Adam implements Optimizer {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(
    private readonly config: OptimizerConfig,
    sizes: readonly number[],
  ) {
    this.m = sizes.map((n) => new Float32Array(n));
    this.v = sizes.map((n) => new Float32Array(n));
  }

  step(params: readonly Float32Array[], grads: readonly Float32Array[], lr: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-8;
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const { weightDecay } = this.config;
    params.forEach((p, i) => {
      const g = grads[i];
      const m = this.m[i];
      const v = this.v[i];
      for (let j = 0; j < p.length; j++) {
        const d = g[j] + weightDecay * p[j];
        m[j] = b1 * m[j] + (1 - b1) * d;
        v[j] = b2 * v[j] + (1 - b2) * d * d;
        p[j] -= (lr * (m[j] / c1)) / (Math.sqrt(v[j] / c2) + eps);
      }
    });
  }
}
