// Topic names as rcl resolves them for a node: expanded in its namespace (rcl_expand_topic_name:
// `~` is the node's fully qualified name, a relative name goes under the namespace) and remapped by
// the command line's `-r [node:]from:=to` rules (rcl remap.c: the first rule whose expanded `from`
// equals the expanded name wins). rclnodejs asks rcl itself (Node.resolveTopicName); the fake
// transport resolves here, so the names a node reports (logs, /diagnostics) are the graph's names.

export interface RemapRule {
  /** Only for this node name (`node:from:=to`); undefined: every node. */
  node?: string;
  from: string;
  to: string;
}

/** The `-r` / `--remap` rules of the `--ros-args` sections, in order, without `__node`, `__ns` and the like. */
export function remapRules(argv: readonly string[]): RemapRule[] {
  const rules: RemapRule[] = [];
  let inRos = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--ros-args') inRos = true;
    else if (arg === '--') inRos = false;
    else if (inRos && (arg === '-r' || arg === '--remap') && i + 1 < argv.length) {
      const rule = argv[++i];
      const at = rule.indexOf(':=');
      if (at < 0) continue;
      const lhs = rule.slice(0, at);
      const colon = lhs.indexOf(':');
      const [node, from] = colon < 0 ? [undefined, lhs] : [lhs.slice(0, colon), lhs.slice(colon + 1)];
      if (!from.startsWith('__')) rules.push({ node, from, to: rule.slice(at + 2) });
    }
  }
  return rules;
}

/** rcl_expand_topic_name for the substitutions seqvpr uses (`~`, relative, absolute). */
export function expandTopicName(name: string, nodeFqn: string): string {
  if (name.startsWith('/')) return name;
  if (name === '~' || name.startsWith('~/')) return nodeFqn + name.slice(1);
  const ns = nodeFqn.slice(0, nodeFqn.lastIndexOf('/'));
  return `${ns}/${name}`;
}

/** The name a topic `name` of node `nodeFqn` has on the graph under `rules`. */
export function resolveTopicName(name: string, nodeFqn: string, rules: readonly RemapRule[]): string {
  const expanded = expandTopicName(name, nodeFqn);
  const nodeName = nodeFqn.slice(nodeFqn.lastIndexOf('/') + 1);
  const rule = rules.find((r) => (r.node === undefined || r.node === nodeName) && expandTopicName(r.from, nodeFqn) === expanded);
  return rule ? expandTopicName(rule.to, nodeFqn) : expanded;
}
