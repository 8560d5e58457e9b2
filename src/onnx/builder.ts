// A small ONNX model writer over the onnx-proto protobuf classes. It exists so the project can
// generate its own models (the converted built-in CNN, test graphs, SeqNet exports) without Python.
//
//   const g = new OnnxGraphBuilder('tiny');
//   g.input('x', 'float32', ['batch', 3, 64, 64]);
//   g.initializer('w', new Float32Array(8 * 3 * 3 * 3), [8, 3, 3, 3]);
//   g.node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1] });
//   g.output('y', 'float32', ['batch', 8, 64, 64]);
//   const bytes = g.toBytes();   // feed to onnxruntime's InferenceSession.create(bytes)
//
// Attribute types are inferred: an integer number is INT, any other number FLOAT, a number array
// INTS when every entry is an integer, else FLOATS. ONNX rejects a wrong type at load time, so for
// integer-valued floats (alpha: 1.0) say so with attr.float(1) / attr.floats([1, 2]).
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { ModelError } from '../core/errors.js';

// onnx-proto is CommonJS whose exports Node cannot name statically: take the namespace off the default.
const proto = onnxProto.onnx;

export type OnnxElementType = 'float32' | 'int64' | 'int32' | 'bool';
/** A dimension: a fixed size, or a name for a symbolic (dynamic) size such as 'batch'. */
export type OnnxDim = number | string;
export type InitializerData = Float32Array | BigInt64Array | Int32Array;

/** An attribute value whose ONNX type is stated rather than inferred. */
export interface TypedAttribute {
  readonly kind: 'int' | 'float' | 'ints' | 'floats' | 'string';
  readonly value: number | string | readonly number[];
}
export type AttributeValue = number | string | readonly number[] | TypedAttribute;

/** Explicitly typed attribute values, for the cases inference gets wrong (integer-valued floats). */
export const attr = {
  int: (value: number): TypedAttribute => ({ kind: 'int', value }),
  float: (value: number): TypedAttribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): TypedAttribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): TypedAttribute => ({ kind: 'floats', value }),
  string: (value: string): TypedAttribute => ({ kind: 'string', value }),
};

/** int64 initializer data from plain numbers (shapes, pads, axes). */
export function int64s(values: readonly number[]): BigInt64Array {
  return BigInt64Array.from(values, (v) => BigInt(v));
}

export interface OnnxGraphBuilderOptions {
  /** Default opset version of the ai.onnx domain (17). */
  opset?: number;
  /** ONNX IR version (8, the one opset 17 came with). */
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
}

export interface NodeOptions {
  /** Node name; defaults to "<OpType>_<n>". */
  name?: string;
  /** Operator domain; '' is the default ai.onnx domain. */
  domain?: string;
}

const ELEMENT_TYPE: Record<OnnxElementType, number> = {
  float32: proto.TensorProto.DataType.FLOAT,
  int64: proto.TensorProto.DataType.INT64,
  int32: proto.TensorProto.DataType.INT32,
  bool: proto.TensorProto.DataType.BOOL,
};

/** Builds one ONNX graph, node by node, and serialises it as a ModelProto. */
export class OnnxGraphBuilder {
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly metadata: onnx.IStringStringEntryProto[] = [];
  /** Every tensor name defined so far (inputs, initializers, node outputs): names must be unique. */
  private readonly defined = new Set<string>();
  private nodeCount = 0;
  private uniqueCount = 0;

  constructor(
    readonly name: string,
    private readonly options: OnnxGraphBuilderOptions = {},
  ) {}

  /** Declares a graph input. */
  input(name: string, type: OnnxElementType, dims: readonly OnnxDim[]): this {
    this.define(name);
    this.inputs.push(valueInfo(name, type, dims));
    return this;
  }

  /** Declares a graph output; it must be produced by a node (or be an input/initializer). */
  output(name: string, type: OnnxElementType, dims: readonly OnnxDim[]): this {
    this.outputs.push(valueInfo(name, type, dims));
    return this;
  }

  /** Adds a constant tensor; its element type follows the array type. Returns the name. */
  initializer(name: string, data: InitializerData, dims: readonly number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new ModelError(`initializer "${name}" has ${data.length} values but dims [${dims.join(', ')}] need ${size}`);
    }
    this.define(name);
    const dataType =
      data instanceof Float32Array ? ELEMENT_TYPE.float32 : data instanceof BigInt64Array ? ELEMENT_TYPE.int64 : ELEMENT_TYPE.int32;
    // rawData is little-endian; typed arrays are little-endian on every platform Node supports.
    const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push({ name, dataType, dims: [...dims], rawData });
    return name;
  }

  /** A scalar float32 constant (dims []), e.g. the bounds of Clip. */
  scalar(name: string, value: number): string {
    return this.initializer(name, Float32Array.of(value), []);
  }

  /** Adds a node. Empty input names mark omitted optional inputs. Returns the output names. */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    options: NodeOptions = {},
  ): string[] {
    for (const i of inputs) {
      if (i !== '' && !this.defined.has(i)) {
        throw new ModelError(`node ${opType} reads "${i}", which no input, initializer or earlier node defines`);
      }
    }
    for (const o of outputs) this.define(o);
    this.nodes.push({
      opType,
      name: options.name ?? `${opType}_${this.nodeCount}`,
      domain: options.domain ?? '',
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attributes).map(([k, v]) => attributeProto(k, v)),
    });
    this.nodeCount++;
    return [...outputs];
  }

  /** A fresh tensor name with the given prefix, for intermediate values. */
  uniqueName(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.uniqueCount++}`;
    while (this.defined.has(name));
    return name;
  }

  /** Shorthand for a single-output node whose output gets a fresh name. Returns that name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, prefix = opType): string {
    return this.node(opType, inputs, [this.uniqueName(prefix)], attributes)[0];
  }

  /** Adds a key/value pair to the model's metadata_props (e.g. source and converter versions). */
  meta(key: string, value: string): this {
    this.metadata.push({ key, value });
    return this;
  }

  /** True when a tensor of that name exists. */
  has(name: string): boolean {
    return this.defined.has(name);
  }

  /** The ModelProto, for callers that want to inspect it before serialising. */
  toModel(): onnx.ModelProto {
    if (this.outputs.length === 0) throw new ModelError(`graph "${this.name}" has no outputs; call output() first`);
    for (const o of this.outputs) {
      if (!this.defined.has(o.name!)) throw new ModelError(`graph output "${o.name}" is not produced by any node`);
    }
    return proto.ModelProto.create({
      irVersion: this.options.irVersion ?? 8,
      producerName: this.options.producerName ?? 'seqvpr',
      producerVersion: this.options.producerVersion ?? '',
      docString: this.options.docString ?? '',
      opsetImport: [{ domain: '', version: this.options.opset ?? 17 }],
      metadataProps: this.metadata,
      graph: {
        name: this.name,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
        node: this.nodes,
      },
    });
  }

  /** Serialises the model (protobuf bytes, the content of a .onnx file). */
  toBytes(): Uint8Array {
    return proto.ModelProto.encode(this.toModel()).finish();
  }

  private define(name: string): void {
    if (name === '') throw new ModelError('tensor names must not be empty');
    if (this.defined.has(name)) throw new ModelError(`tensor "${name}" is defined twice in graph "${this.name}"`);
    this.defined.add(name);
  }
}

function valueInfo(name: string, type: OnnxElementType, dims: readonly OnnxDim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPE[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attributeProto(name: string, value: AttributeValue): onnx.IAttributeProto {
  const T = proto.AttributeProto.AttributeType;
  const typed = typeof value === 'object' && !Array.isArray(value) ? (value as TypedAttribute) : inferAttribute(value);
  switch (typed.kind) {
    case 'int':
      return { name, type: T.INT, i: typed.value as number };
    case 'float':
      return { name, type: T.FLOAT, f: typed.value as number };
    case 'ints':
      return { name, type: T.INTS, ints: [...(typed.value as number[])] };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...(typed.value as number[])] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(typed.value as string) };
  }
}

function inferAttribute(value: number | string | readonly number[]): TypedAttribute {
  if (typeof value === 'string') return attr.string(value);
  if (typeof value === 'number') return Number.isInteger(value) ? attr.int(value) : attr.float(value);
  return value.every(Number.isInteger) ? attr.ints(value) : attr.floats(value);
}
