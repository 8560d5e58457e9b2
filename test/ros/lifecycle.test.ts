// The managed node as `ros2 lifecycle set` and a lifecycle manager see it (test/ros/RCL-BEHAVIOUR.md,
// rows L1-L5 and S1-S2): ~/change_state answers the outcome of the hook, after the hook; a failed
// configure leaves the node unconfigured and says why; requests while a transition runs are refused;
// every request and response crosses the wire as CDR.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { RosMessageError } from '../../src/ros/message-types.js';
import { FakeTransport } from '../../src/ros/fake-transport.js';
import { SeqvprNode } from '../../src/ros/node.js';
import { SHIPPED_PARAMS_FILE, savedMapFixture, type SavedMapFixture } from './helpers.js';

type Msg = Record<string, any>;

describe('seqvpr_node lifecycle services (fake transport, real node)', () => {
  let fx: SavedMapFixture;
  before(async () => {
    fx = await savedMapFixture('seqvpr-lifecycle-', 8);
  });
  after(async () => {
    await rm(fx.dir, { recursive: true, force: true });
  });

  const managedNode = () => {
    const port = new FakeTransport({ argv: ['--ros-args', '--params-file', SHIPPED_PARAMS_FILE, '-p', 'autostart:=false', '-p', `config_file:=${fx.configFile}`] });
    return { port, node: new SeqvprNode(port) };
  };

  it('L1/L2: a failed configure answers false, leaves the node unconfigured and says why; a fixed one answers true', async () => {
    const { port, node } = managedNode();
    assert.equal(await node.start(), true, 'autostart off: nothing to do');
    assert.equal(await port.changeState('configure'), false, 'the hook failed: the caller is told');
    assert.equal(port.lifecycleState, 'unconfigured');
    assert.match(port.logsMatching(/configure failed/)[0].message, /needs map_path/);
    const failed = (port.messages('~/transition_event') as Msg[]).map((e) => `${e.start_state.label}->${e.goal_state.label}`);
    assert.deepEqual(failed, ['unconfigured->configuring', 'configuring->unconfigured'], 'through the transition state and back');

    assert.deepEqual(port.setParameterFromCli('map_path', fx.mapDir), { successful: true });
    const configuring = port.changeState('configure');
    await new Promise((r) => setImmediate(r)); // the request reaches the node (the hook reads files for a while)
    // While the hook runs the node is in the transition state, and other requests are refused.
    assert.deepEqual((await port.callService('~/get_state', {})).current_state, { id: 10, label: 'configuring' });
    assert.equal(await port.changeState('activate'), false, 'refused while configuring');
    assert.equal(await configuring, true);
    assert.deepEqual((await port.callService('~/get_state', {})).current_state, { id: 2, label: 'inactive' });
    await port.transition('shutdown');
  });

  it('L3: offers the transitions of the current state, by id or by label, as rcl_lifecycle numbers them', async () => {
    const { port } = managedNode();
    assert.deepEqual(port.setParameters([{ name: 'map_path', value: fx.mapDir }]), { successful: true });
    const list = async () =>
      ((await port.callService('~/get_available_transitions', {})).available_transitions as Msg[]).map((d) => [d.transition.id, d.transition.label, d.goal_state.label]);
    assert.deepEqual(await list(), [[1, 'configure', 'configuring'], [5, 'shutdown', 'shuttingdown']]);
    assert.equal(await port.changeState(1), true, 'configure by id');
    assert.deepEqual(await list(), [[2, 'cleanup', 'cleaningup'], [3, 'activate', 'activating'], [6, 'shutdown', 'shuttingdown']]);
    assert.equal(await port.changeState(3), true, 'activate by id');
    assert.equal(port.lifecycleState, 'active');
    assert.equal(await port.changeState('configure'), false, 'not a transition of active');
    assert.equal(await port.changeState(6), false, 'inactive shutdown id from active');
    assert.equal(await port.changeState('shutdown'), true);
    assert.equal(port.lifecycleState, 'finalized');
    const events = (port.messages('~/transition_event') as Msg[]).map((e) => `${e.start_state.label}->${e.goal_state.label}`);
    assert.deepEqual(events, [
      'unconfigured->configuring', 'configuring->inactive', 'inactive->activating', 'activating->active', 'active->shuttingdown', 'shuttingdown->finalized',
    ]);
    assert.ok((port.messages('~/transition_event') as Msg[]).every((e) => e.transition.id === 0 && e.transition.label === '' && e.timestamp === 0n), 'as rcl_lifecycle fills them');
    const states = ((await port.callService('~/get_available_states', {})).available_states as Msg[]).map((s) => s.label);
    assert.ok(states.includes('errorprocessing') && states.includes('finalized'));
  });

  it('S1/S2: service requests and responses cross the wire: fields the type does not have are refused', async () => {
    const { port } = managedNode();
    await assert.rejects(port.callService('~/load_map', { path: fx.mapDir }), (e: Error) => e instanceof RosMessageError && /path is not a field of .*LoadMap_Request/.test(e.message));
    assert.deepEqual(await port.callService('~/load_map', { map_path: fx.mapDir }), { success: false, message: 'the node is not configured: set map_path and configure it instead' });
    port.createService('std_srvs/srv/Trigger', '~/wrong', async () => ({ ok: true }));
    await assert.rejects(port.callService('~/wrong', {}), /ok is not a field of std_srvs\/srv\/Trigger_Response/);
    // What the handler receives is what rclnodejs hands it: the deserialised request.
    let seen: Msg | undefined;
    port.createService('lifecycle_msgs/srv/ChangeState', '~/echo', async (request) => {
      seen = request;
      return { success: true };
    });
    await port.callService('~/echo', { transition: { label: 'configure' } });
    assert.deepEqual(seen, { transition: { id: 0, label: 'configure' } });
    await port.transition('shutdown');
  });
});
