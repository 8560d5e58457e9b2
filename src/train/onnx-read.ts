// Reading ONNX models back (onnx-proto): to take a saved projection's parameters out of its graph
// (the graph is the one source of truth) and to extend an existing frame model with more nodes.
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { ModelError } from '../core/errors.js';

const proto = onnxProto.onnx;

export async function readOnnxModel(file: string): Promise<onnx.ModelProto> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new ModelError(`cannot read ONNX model ${file}: ${(e as Error).message}`);
  }
  try {
    return proto.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`${file} is not an ONNX model: ${(e as Error).message}`);
  }
}

export function encodeOnnxModel(model: onnx.IModelProto): Uint8Array {
  return proto.ModelProto.encode(model).finish();
}

/** A float32 initializer's values and dims (raw or float_data storage). */
export function floatInitializer(model: onnx.IModelProto, name: string, where: string): { dims: number[]; data: Float32Array } {
  const t = model.graph?.initializer?.find((i) => i.name === name);
  if (!t) throw new ModelError(`${where} has no initializer "${name}"; it was not written by seqvpr pca fit`);
  if (t.dataType !== proto.TensorProto.DataType.FLOAT) throw new ModelError(`${where}: initializer "${name}" is not float32`);
  const dims = (t.dims ?? []).map(Number);
  const size = dims.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    data = new Float32Array(size);
    new Uint8Array(data.buffer).set(raw.subarray(0, size * 4));
    if (raw.length !== size * 4) throw new ModelError(`${where}: initializer "${name}" holds ${raw.length} bytes, dims need ${size * 4}`);
  } else {
    data = Float32Array.from(t.floatData ?? []);
    if (data.length !== size) throw new ModelError(`${where}: initializer "${name}" holds ${data.length} values, dims need ${size}`);
  }
  return { dims, data };
}

/** True when an initializer keeps its data in an external file (composed models must be self-contained). */
export function hasExternalData(model: onnx.IModelProto): boolean {
  return (model.graph?.initializer ?? []).some((t) => t.dataLocation === proto.TensorProto.DataLocation.EXTERNAL);
}

/** The default-domain opset version a model imports (0 when none). */
export function defaultOpset(model: onnx.IModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry ? Number(entry.version) : 0;
}
