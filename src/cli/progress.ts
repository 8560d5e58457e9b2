// Progress bars on stderr (stdout stays clean for results). Quiet when stderr is not a terminal.
import cliProgress from 'cli-progress';

export interface Progress {
  /** `total` changes the bar's length (for work whose size is known only once it starts). */
  update(done: number, total?: number): void;
  stop(): void;
}

export function progressBar(label: string, total: number): Progress {
  if (!process.stderr.isTTY) {
    return { update() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(14)} [{bar}] {value}/{total} frames | {eta_formatted} left | {rate} fps`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = Date.now();
  bar.start(total, 0, { rate: '0.0' });
  return {
    update(done, newTotal) {
      if (newTotal !== undefined && newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      const s = (Date.now() - start) / 1000;
      bar.update(done, { rate: s > 0 ? (done / s).toFixed(1) : '0.0' });
    },
    stop() {
      bar.stop();
    },
  };
}
