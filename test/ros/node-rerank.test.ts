// seqvpr_node with patch re-ranking (the built-in CNN and its patch grid, as config/default.yaml):
// ~/place_match carries the re-ranker's patch correspondences, serialised as their ROS types, and
// publish_patch_matches leaves them out at run time.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { finishNode, imageMsg, nodeUnderTest, savedMapFixture, stampOf, type NodeUnderTest, type SavedMapFixture } from './helpers.js';

const PLACES = 10;
const PIPELINE = `name: ros-node-rerank-test
frontend: { kind: builtin-cnn }
sequence: { kind: single }
retrieval: { source: frame-votes, k: 5, perFrameK: 5, separationRows: 2, mode: exact }
matcher: { kind: seqslam }
windowLength: 5
rerank: { enabled: true }
`;

type Msg = Record<string, any>;

describe('seqvpr_node with patch re-ranking (fake transport, built-in CNN)', () => {
  let fixture: SavedMapFixture;
  let t: NodeUnderTest | undefined;

  before(async () => {
    fixture = await savedMapFixture('seqvpr-node-rerank-', PLACES, PIPELINE);
  });

  after(async () => {
    await finishNode(t);
    await rm(fixture.dir, { recursive: true, force: true });
  });

  it('publishes the patch score and correspondences of the winner, and leaves them out with publish_patch_matches false', async () => {
    const { mapDir, configFile, images } = fixture;
    t = await nodeUnderTest({ map_path: mapDir, config_file: configFile, min_confidence: 0.0 });
    const { port, node } = t;
    assert.equal(await node.start(), true);
    const feed = async (i: number) => {
      port.publish('image', imageMsg(stampOf(i), images[i].mono8));
      await node.whenIdle();
    };
    for (let i = 0; i < PLACES - 1; i++) await feed(i);
    const matches = port.messages('~/place_match') as Msg[];
    const last = matches.at(-1)!;
    assert.deepEqual([last.patch_grid_cells_x, last.patch_grid_cells_y], [16, 8], "the built-in patch model's grid");
    assert.ok(last.patch_score > 0 && last.patch_score <= 1, `patch score ${last.patch_score}`);
    assert.equal(last.patch_matches[0].query_index, last.query_index, 'newest query frame first');
    assert.ok(last.patch_matches.length > 1 && last.patch_matches.length <= 5, 'the compared frame pairs of the window');
    const pairs = last.patch_matches.flatMap((m: Msg) => m.pairs);
    assert.ok(pairs.length > 0, 'the same place under other light: agreeing patches');
    for (const p of pairs) {
      assert.ok([2, 3].includes(p.size), `patch size ${p.size}`);
      assert.ok(p.query_x >= 0 && p.query_x < 16 && p.map_y >= 0 && p.map_y < 8, 'centres inside the grid');
    }

    assert.deepEqual(port.setParameters([{ name: 'publish_patch_matches', value: false }]), { successful: true });
    await feed(PLACES - 1);
    const without = (port.messages('~/place_match') as Msg[]).at(-1)!;
    assert.deepEqual(without.patch_matches, [], 'correspondences left out');
    assert.ok(without.patch_score > 0, 'the score stays');
    assert.equal(without.patch_grid_cells_x, 16);
  });
});
