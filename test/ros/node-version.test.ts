// seqvpr_node's start-up check of the Node.js version: one line naming what is needed when the
// running Node is older (Ubuntu 24.04's own nodejs is 18).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { RCLNODEJS_NODE, compareVersions, minimumOf, nodeVersionProblem, requiredNodeVersion } from '../../src/ros/node-version.js';

describe('seqvpr_node Node.js version check', () => {
  it('needs the higher of seqvpr’s and rclnodejs 2.2.0’s engines', () => {
    assert.equal(minimumOf('>=20.19'), '20.19.0');
    assert.equal(minimumOf('>= 20.20.2'), '20.20.2');
    assert.ok(compareVersions('20.9.0', '20.19.0') < 0, 'numeric, not text, comparison');
    assert.ok(compareVersions(requiredNodeVersion(), RCLNODEJS_NODE) >= 0);
    assert.ok(compareVersions(requiredNodeVersion(), '20.19.0') >= 0);
  });

  it('explains in one line when Node is too old, and says nothing when it is new enough', () => {
    const problem = nodeVersionProblem('18.19.1', '20.20.2');
    assert.match(problem!, /^seqvpr_node needs Node\.js 20\.20\.2 or newer .*this is 18\.19\.1.*README/);
    assert.doesNotMatch(problem!, /\n/);
    assert.equal(nodeVersionProblem('22.1.0', '20.20.2'), undefined);
    assert.equal(nodeVersionProblem('20.20.2', '20.20.2'), undefined);
  });

  it('runs as a script before the node starts (what scripts/seqvpr_node calls)', () => {
    const script = path.join(packageRoot(), 'src/ros/node-version.ts');
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    const expected = nodeVersionProblem();
    assert.equal(run.status, expected ? 1 : 0, run.stderr);
    assert.equal(run.stderr.trim(), expected ?? '');
  });
});
