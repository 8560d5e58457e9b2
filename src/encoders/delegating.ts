// Base of frame encoders that wrap another one (caching, resuming, counting): identity and
// lifetime are the inner encoder's; subclasses only change how encode() gets its descriptors.
import type { ImageSource } from '../core/types.js';
import type { EncodeTiming, FrameEncoder } from './types.js';

export abstract class DelegatingFrameEncoder implements FrameEncoder {
  constructor(protected readonly inner: FrameEncoder) {}

  get id(): string {
    return this.inner.id;
  }
  get hash(): string {
    return this.inner.hash;
  }
  get dim(): number {
    return this.inner.dim;
  }
  get provider(): string {
    return this.inner.provider;
  }

  abstract encode(images: readonly ImageSource[], timing?: EncodeTiming): Promise<Float32Array[]>;

  close(): Promise<void> {
    return this.inner.close();
  }
}
