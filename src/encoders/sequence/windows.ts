// Checks and packing shared by every sequence encoder: a window is L frame descriptors, oldest first.
import { DescriptorError } from '../../core/errors.js';

/** Throws DescriptorError unless every window has `length` descriptors of `dim` values. */
export function checkWindows(windows: readonly (readonly Float32Array[])[], length: number, dim: number): void {
  windows.forEach((w, i) => {
    if (w.length !== length) {
      throw new DescriptorError(`sequence window ${i} has ${w.length} frame descriptors, the encoder needs ${length}`);
    }
    w.forEach((d, t) => {
      if (d.length !== dim) {
        throw new DescriptorError(`frame descriptor ${t} of window ${i} has ${d.length} values, the sequence encoder expects ${dim}`);
      }
    });
  });
}

/** Packs windows into one [n, length, dim] row-major array. */
export function packWindows(windows: readonly (readonly Float32Array[])[], length: number, dim: number): Float32Array {
  const out = new Float32Array(windows.length * length * dim);
  windows.forEach((w, i) => w.forEach((d, t) => out.set(d, (i * length + t) * dim)));
  return out;
}
