// seqvpr_node's entry point: `node dist/src/ros/main.js --ros-args [-p name:=value] [--params-file F]
// [-r __node:=name]`. Initialises rclnodejs, creates the lifecycle node, configures and activates it
// when autostart is set, spins, and shuts down in order on SIGINT / SIGTERM (deactivate, release,
// then ROS).
import { NODE_NAME, SeqvprNode } from './node.js';
import { nodeVersionProblem } from './node-version.js';
import { RclnodejsPort } from './rclnodejs-adapter.js';

async function main(): Promise<void> {
  const tooOld = nodeVersionProblem();
  if (tooOld) {
    process.stderr.write(`${tooOld}\n`);
    process.exit(1);
  }
  const port = await RclnodejsPort.create({ nodeName: NODE_NAME });
  const node = new SeqvprNode(port);
  port.spin();

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    port.logger.info(`${signal}: shutting down`);
    // After `ros2 lifecycle set <node> shutdown` the node is finalized and the process lives on (as
    // rclcpp's do): there is nothing left to shut down but ROS.
    const finalized = port.lifecycleState === 'finalized';
    (finalized ? Promise.resolve(true) : port.transition('shutdown'))
      .catch((e: unknown) => port.logger.error(`shutdown failed: ${(e as Error).message}`))
      .finally(() => {
        port.shutdownRos();
        process.exit(0);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  if (!(await node.start())) {
    port.logger.error(
      `autostart failed (see above): the node stays unconfigured; fix the parameters (params file or -p, and restart; ` +
        `or ros2 param set ${port.nodeName} <name> <value>) and run ros2 lifecycle set ${port.nodeName} configure, then activate`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`seqvpr_node: ${(e as Error).message}\n`);
  process.exit(1);
});
