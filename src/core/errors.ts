// Typed errors. Each says what went wrong and, where it can, what to do about it.

/** Base class: every error seqvpr raises on purpose. The CLI prints `message` alone (no stack). */
export class SeqvprError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration file or value is invalid. */
export class ConfigError extends SeqvprError {}

/** An image cannot be decoded or has an unsupported/inconsistent layout. */
export class ImageDecodeError extends SeqvprError {}

/** A model file or its manifest is missing, invalid, or disagrees with its input/output. */
export class ModelError extends SeqvprError {}

/** Descriptor dimensions or values are wrong (size mismatch, NaN). */
export class DescriptorError extends SeqvprError {}

/** A map on disk is missing, corrupt, of an unknown version, or built with another encoder. */
export class MapFormatError extends SeqvprError {}

/** A bag cannot be read or written. */
export class BagError extends SeqvprError {}

/** Ground truth or evaluation inputs are inconsistent. */
export class EvalError extends SeqvprError {}
