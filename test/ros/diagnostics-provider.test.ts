// /diagnostics names the execution provider the ONNX session actually runs on: asking for
// [cuda, cpu] where onnxruntime's CUDA provider is not installed (the default install, .npmrc's
// skip) falls back to the CPU with one warning, and the diagnostics say cpu, not cuda.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { finishNode, nodeUnderTest, type NodeUnderTest } from './helpers.js';

type Msg = Record<string, any>;

/** Whether onnxruntime-node's CUDA provider library is installed next to its binding. */
function cudaProviderInstalled(): boolean {
  const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  return existsSync(path.join(pkg, 'bin/napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
}

describe('seqvpr_node /diagnostics: execution provider', () => {
  let t: NodeUnderTest | undefined;
  afterEach(async () => {
    await finishNode(t);
    t = undefined;
  });

  it('reports the provider the built-in CNN runs on after the fallback (mode map: no map needed)', async function () {
    if (cudaProviderInstalled()) {
      this.test!.title += ' (skipped: the CUDA provider is installed here; the fallback cannot be shown)';
      this.skip();
    }
    // config_file empty: the package's config/default.yaml (the built-in CNN, an ONNX model).
    t = await nodeUnderTest({ mode: 'map', config_file: '', execution_providers: ['cuda', 'cpu'] });
    assert.equal(await t.node.start(), true, t.port.logs.map((l) => l.message).join('\n'));
    assert.equal(t.port.logsMatching(/execution provider cuda .* unavailable .* running on cpu/).length, 1);
    assert.match(t.port.logsMatching(/^configured:/)[0].message, / on cpu,/);
    t.port.advance(1000);
    const [diag] = t.port.messages('/diagnostics') as Msg[];
    const provider = diag.status[0].values.find((v: Msg) => v.key === 'execution provider')?.value;
    assert.equal(provider, 'cpu');
  });
});
