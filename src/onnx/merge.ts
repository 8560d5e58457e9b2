// One ONNX model from two that read the same inputs, computing what they share once: the second
// graph's nodes are added after the first's, and any node that does exactly what a node already in
// the graph does (same operator, same attributes, same inputs after renaming) is not added again;
// its outputs are read from the existing node. Constants (initializers) are shared when their
// contents are equal. Two models built by the same code up to some point (the built-in frame and
// patch models share the converted backbone) therefore keep one copy of that part, while each
// output is computed by exactly the nodes its own model used. Build-time code (not for the runtime).
import { createHash } from 'node:crypto';
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { ModelError } from '../core/errors.js';

const proto = onnxProto.onnx;

export interface MergeOptions {
  /** Graph name of the result. */
  name: string;
  /** Prefix for the second graph's names that would clash with the first's. */
  prefix: string;
  docString?: string;
}

/** The union of both models' outputs (first's, then second's), shared work computed once. */
export function mergeModels(firstBytes: Uint8Array, secondBytes: Uint8Array, options: MergeOptions): Uint8Array {
  const first = proto.ModelProto.decode(firstBytes);
  const second = proto.ModelProto.decode(secondBytes);
  const opset = (m: onnx.ModelProto) => JSON.stringify(m.opsetImport.map((o) => [o.domain ?? '', Number(o.version)]));
  if (opset(first) !== opset(second)) throw new ModelError(`cannot merge models of different opsets: ${opset(first)} and ${opset(second)}`);
  const a = parts(first.graph);
  const b = parts(second.graph);

  const defined = new Set<string>([...a.input.map((v) => v.name!), ...a.initializer.map((t) => t.name!), ...a.node.flatMap((n) => n.output ?? [])]);
  const initializers = [...a.initializer];
  const nodes = [...a.node];
  const inputs = [...a.input];
  const byContent = new Map<string, string>();
  for (const t of a.initializer) byContent.set(tensorKey(t), t.name!);
  const bySignature = new Map<string, string[]>();
  for (const n of a.node) bySignature.set(nodeKey(n, n.input ?? []), n.output ?? []);
  const nodeNames = new Set<string>(a.node.map((n) => n.name || ''));

  /** The second graph's tensor names in the merged graph. */
  const renamed = new Map<string, string>();
  const fresh = (name: string): string => {
    let out = defined.has(name) ? `${options.prefix}${name}` : name;
    for (let i = 1; defined.has(out); i++) out = `${options.prefix}${name}_${i}`;
    defined.add(out);
    return out;
  };

  for (const v of b.input) {
    const same = a.input.find((x) => x.name === v.name);
    if (same) {
      if (Buffer.compare(proto.ValueInfoProto.encode(same).finish(), proto.ValueInfoProto.encode(v).finish()) !== 0) {
        throw new ModelError(`cannot merge: input "${v.name}" is declared differently in the two models`);
      }
      renamed.set(v.name!, v.name!);
    } else {
      const name = fresh(v.name!);
      renamed.set(v.name!, name);
      inputs.push({ ...v, name });
    }
  }
  for (const t of b.initializer) {
    const key = tensorKey(t);
    const existing = byContent.get(key);
    if (existing) {
      renamed.set(t.name!, existing);
      continue;
    }
    const name = fresh(t.name!);
    renamed.set(t.name!, name);
    byContent.set(key, name);
    initializers.push(proto.TensorProto.create({ ...t, name }));
  }
  for (const n of b.node) {
    const mappedInputs = (n.input ?? []).map((i) => (i === '' ? '' : renamed.get(i) ?? missing(i)));
    const key = nodeKey(n, mappedInputs);
    const existing = bySignature.get(key);
    const nodeOutputs = n.output ?? [];
    if (existing && existing.length === nodeOutputs.length) {
      nodeOutputs.forEach((o, i) => renamed.set(o, existing[i]));
      continue;
    }
    const outputs = nodeOutputs.map((o) => {
      const name = o === '' ? '' : fresh(o);
      renamed.set(o, name);
      return name;
    });
    let nodeName = n.name ?? '';
    if (nodeNames.has(nodeName)) nodeName = `${options.prefix}${nodeName}`;
    nodeNames.add(nodeName);
    bySignature.set(key, outputs);
    nodes.push(proto.NodeProto.create({ ...n, name: nodeName, input: mappedInputs, output: outputs }));
  }
  const outputs = [...a.output];
  for (const o of b.output) {
    const name = renamed.get(o.name!) ?? missing(o.name!);
    if (outputs.some((x) => x.name === name)) throw new ModelError(`cannot merge: both models output "${name}"`);
    if (name !== o.name) throw new ModelError(`cannot merge: the second model's output "${o.name}" would be renamed to "${name}"`);
    outputs.push(o);
  }
  const merged = proto.ModelProto.create({
    ...first,
    docString: options.docString ?? first.docString,
    graph: proto.GraphProto.create({ ...first.graph, name: options.name, input: inputs, output: outputs, initializer: initializers, node: nodes }),
  });
  return proto.ModelProto.encode(merged).finish();
}

/** A graph's lists, empty where absent. */
function parts(g: onnx.IGraphProto | null | undefined) {
  return { input: g?.input ?? [], output: g?.output ?? [], initializer: g?.initializer ?? [], node: g?.node ?? [] };
}

function missing(name: string): never {
  throw new ModelError(`cannot merge: "${name}" is read before any node of its graph defines it`);
}

/** Equal keys for equal constants, whatever their names. */
function tensorKey(t: onnx.ITensorProto): string {
  return createHash('sha256').update(proto.TensorProto.encode({ ...t, name: '' }).finish()).digest('hex');
}

/** Equal keys for nodes that compute the same thing from the same (already merged) inputs. */
function nodeKey(n: onnx.INodeProto, inputs: readonly string[]): string {
  const attributes = (n.attribute ?? []).map((a) => Buffer.from(proto.AttributeProto.encode(a).finish()).toString('base64'));
  return JSON.stringify([n.domain ?? '', n.opType, inputs, (n.output ?? []).length, attributes]);
}
