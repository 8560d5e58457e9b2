"""What seqvpr's launch file gives the node: its fully qualified name and its ROS arguments.

    python3 test/ros/launch_params.py --real  launch/seqvpr.launch.py name:=value ...
    python3 test/ros/launch_params.py --model launch/seqvpr.launch.py name:=value ...

Prints JSON {"node_name", "arguments" (after --ros-args), "files" (path -> text of each params
file)}, which test/ros/launch.test.ts feeds to the node's parameter loading.

--real runs generate_launch_description() with launch and launch_ros (ROS 2 sourced) and asks
launch_ros's LifecycleNode what it expanded (Node._perform_substitutions).

--model needs only PyYAML: it runs the same launch file against small stand-ins for the launch
classes it uses, and writes the parameters the way launch_ros (Jazzy) does, modelled on:
  - launch_ros/actions/node.py Node._perform_substitutions: parameter files in order as
    --params-file; a dict goes through _create_params_file_from_dict, which yaml.dump()s
    {node_name: {'ros__parameters': dict}} with node_name the fully qualified name
    (prefix_namespace(namespace, name)) when it is fully specified, else '/**';
    remappings as -r from:=to;
  - launch_ros/utilities/evaluate_parameters.py evaluate_parameter_dict: a plain string value is
    yaml.safe_load()ed (so '2024' becomes an integer, '' stays ''), a
    ParameterValue(value, value_type=str) stays a string;
  - Node.execute: -r __node:=<name>, and -r __ns:=<namespace> when there is one.
"""
import importlib.util
import json
import os
import sys
import tempfile
import types

import yaml

sys.dont_write_bytecode = True  # loading the launch file must not leave launch/__pycache__ behind


def load_launch_file(path):
    spec = importlib.util.spec_from_file_location('seqvpr_launch', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_arguments(argv):
    out = {}
    for arg in argv:
        name, sep, value = arg.partition(':=')
        if not sep:
            raise SystemExit(f'launch argument {arg}: use name:=value')
        out[name] = value
    return out


# --- --real ---------------------------------------------------------------------------------

def run_real(path, arguments):
    from launch import LaunchContext
    from launch.actions import DeclareLaunchArgument, OpaqueFunction
    from launch_ros.actions import Node

    context = LaunchContext()
    for name, value in arguments.items():
        context.launch_configurations[name] = value
    description = load_launch_file(path).generate_launch_description()
    nodes = []
    for entity in description.entities:
        if isinstance(entity, DeclareLaunchArgument):
            entity.execute(context)  # sets the default when the argument was not given
        elif isinstance(entity, OpaqueFunction):
            nodes += [a for a in entity.execute(context) or [] if isinstance(a, Node)]
    if len(nodes) != 1:
        raise SystemExit(f'expected one node, the launch file made {len(nodes)}')
    node = nodes[0]
    node._perform_substitutions(context)
    args = []
    args += ['-r', f'__node:={node.node_name.rsplit("/", 1)[1]}']
    if node.expanded_node_namespace not in ('', '/'):
        args += ['-r', f'__ns:={node.expanded_node_namespace}']
    files = {}
    for value, is_file in node._Node__expanded_parameter_arguments or []:
        if is_file:
            with open(value) as f:
                files[value] = f.read()
        args += ['--params-file' if is_file else '-p', value]
    for src, dst in node.expanded_remapping_rules or []:
        args += ['-r', f'{src}:={dst}']
    return {'node_name': node.node_name, 'arguments': args, 'files': files}


# --- --model --------------------------------------------------------------------------------

class Recorded:
    """Stand-in for a launch class: keeps its arguments."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs


class LaunchConfiguration(Recorded):
    def perform(self, context):
        return context.launch_configurations[self.args[0]]


class ParameterValue(Recorded):
    pass


def install_stand_ins():
    launch = types.ModuleType('launch')
    launch.LaunchDescription = Recorded
    actions = types.ModuleType('launch.actions')
    actions.DeclareLaunchArgument = Recorded
    actions.OpaqueFunction = Recorded
    substitutions = types.ModuleType('launch.substitutions')
    substitutions.LaunchConfiguration = LaunchConfiguration
    substitutions.PathJoinSubstitution = Recorded
    launch_ros = types.ModuleType('launch_ros')
    ros_actions = types.ModuleType('launch_ros.actions')
    ros_actions.LifecycleNode = Recorded
    ros_actions.Node = Recorded
    descriptions = types.ModuleType('launch_ros.parameter_descriptions')
    descriptions.ParameterValue = ParameterValue
    ros_substitutions = types.ModuleType('launch_ros.substitutions')
    ros_substitutions.FindPackageShare = Recorded
    sys.modules.update({
        'launch': launch, 'launch.actions': actions, 'launch.substitutions': substitutions,
        'launch_ros': launch_ros, 'launch_ros.actions': ros_actions,
        'launch_ros.parameter_descriptions': descriptions, 'launch_ros.substitutions': ros_substitutions,
    })


def evaluated(value):
    """evaluate_parameter_dict for the values seqvpr's launch file passes."""
    if isinstance(value, ParameterValue):
        return str(value.args[0]) if value.kwargs.get('value_type') is str else yaml.safe_load(value.args[0])
    if isinstance(value, str):
        loaded = yaml.safe_load(value if value else "''")
        if type(loaded) not in (bool, int, float, str):
            raise SystemExit(f'launch_ros refuses the value {value!r}')
        return loaded
    return value


def run_model(path, arguments):
    install_stand_ins()
    description = load_launch_file(path).generate_launch_description()
    entities = description.args[0]
    context = types.SimpleNamespace(launch_configurations={})
    for entity in entities:
        if entity.kwargs.get('default_value') is not None or 'name' in entity.kwargs:
            name = entity.args[0] if entity.args else entity.kwargs['name']
            default = entity.kwargs.get('default_value')
            if name == 'params_file' and name not in arguments:
                raise SystemExit('--model cannot find the installed package: give params_file:=...')
            context.launch_configurations[name] = arguments.get(name, default)
    functions = [e for e in entities if 'function' in e.kwargs]
    [node] = functions[0].kwargs['function'](context)
    kw = node.kwargs
    namespace = kw.get('namespace') or ''
    namespace = '/' + namespace.strip('/') if namespace.strip('/') else ''
    fqn = f'{namespace}/{kw["name"]}'
    args = ['-r', f'__node:={kw["name"]}']
    if namespace:
        args += ['-r', f'__ns:={namespace}']
    files = {}
    for params in kw.get('parameters', []):
        if isinstance(params, dict):
            with tempfile.NamedTemporaryFile(mode='w', prefix='launch_params_', delete=False) as h:
                yaml.dump({fqn: {'ros__parameters': {k: evaluated(v) for k, v in params.items()}}}, h, default_flow_style=False)
                params = h.name
            with open(params) as f:
                files[params] = f.read()
            os.unlink(params)
        elif os.path.isfile(params):
            with open(params) as f:
                files[params] = f.read()
        args += ['--params-file', params]
    for src, dst in kw.get('remappings', []):
        args += ['-r', f'{src}:={dst}']
    return {'node_name': fqn, 'arguments': args, 'files': files}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ('--real', '--model'):
        raise SystemExit(__doc__)
    run = run_real if sys.argv[1] == '--real' else run_model
    print(json.dumps(run(sys.argv[2], parse_arguments(sys.argv[3:]))))


if __name__ == '__main__':
    main()
