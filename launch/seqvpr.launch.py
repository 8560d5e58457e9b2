"""Launches seqvpr_node, seqvpr's place recognition / loop-closure node (a managed node).

    ros2 launch seqvpr seqvpr.launch.py map_path:=/maps/day1 image_topic:=/camera/image_raw
    ros2 launch seqvpr seqvpr.launch.py mode:=map params_file:=/path/to/my.params.yaml

Parameters come from params_file (default: the installed config/seqvpr.params.yaml); the mode,
map_path, image_transport, autostart and use_sim_time arguments override it only when given
(empty = keep the file's value). launch_ros writes those overrides to a temporary params file keyed
by the node's fully qualified name (/seqvpr_node, /<namespace>/seqvpr_node), which seqvpr_node
resolves the way rclcpp does (test/ros/launch.test.ts checks this file end to end). The node configures and activates itself unless autostart is false, for a
lifecycle manager (e.g. nav2_lifecycle_manager) to drive it.
"""
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import LifecycleNode
from launch_ros.parameter_descriptions import ParameterValue
from launch_ros.substitutions import FindPackageShare

ARGUMENTS = [
    ('params_file', PathJoinSubstitution([FindPackageShare('seqvpr'), 'config', 'seqvpr.params.yaml']),
     'YAML file with the node\'s ros__parameters'),
    ('mode', '', 'localize (match against map_path), map (build a map, detect loop closures) or slam; '
                 'empty = the params file\'s'),
    ('map_path', '', 'map folder (seqvpr map build) to localize against or extend; empty = the params file\'s'),
    ('image_topic', 'image', 'camera topic (sensor_msgs/Image); <image_topic>/compressed is used when the '
                             'image_transport parameter is compressed'),
    ('image_transport', '', 'raw (sensor_msgs/Image on image_topic) or compressed (sensor_msgs/CompressedImage '
                            'on <image_topic>/compressed); empty = the params file\'s'),
    ('odom_topic', 'odom', 'odometry topic (nav_msgs/Odometry), used when use_odometry is true'),
    ('namespace', '', 'namespace of the node and its topics'),
    ('node_name', 'seqvpr_node', 'node name; the params file must be keyed by it (or by /**)'),
    ('autostart', '', 'true: configure and activate at start-up; false: wait for a lifecycle manager; '
                      'empty = the params file\'s'),
    ('use_sim_time', '', 'true when replaying a bag with --clock; empty = the params file\'s'),
    ('log_level', 'info', 'debug, info, warn, error or fatal'),
]

STRING_OVERRIDES = ('mode', 'map_path', 'image_transport')
BOOL_OVERRIDES = ('autostart', 'use_sim_time')


def parse_bool(name, text):
    if text.lower() in ('true', '1', 'yes'):
        return True
    if text.lower() in ('false', '0', 'no'):
        return False
    raise ValueError(f'launch argument {name}:={text}: use true or false')


def launch_node(context):
    def value(name):
        return LaunchConfiguration(name).perform(context)

    # Only arguments actually given override the params file (a later parameter source wins).
    # Strings stay strings: launch_ros would otherwise read map_path:=2024 as the integer 2024.
    overrides = {name: ParameterValue(value(name), value_type=str) for name in STRING_OVERRIDES if value(name) != ''}
    overrides.update({name: parse_bool(name, value(name)) for name in BOOL_OVERRIDES if value(name) != ''})
    image = value('image_topic')
    return [
        LifecycleNode(
            package='seqvpr',
            executable='seqvpr_node',
            name=value('node_name'),
            namespace=value('namespace'),
            output='screen',
            parameters=[value('params_file'), overrides],
            remappings=[
                ('image', image),
                ('image/compressed', f'{image}/compressed'),
                ('odom', value('odom_topic')),
            ],
            ros_arguments=['--log-level', value('log_level')],
        )
    ]


def generate_launch_description():
    return LaunchDescription(
        [DeclareLaunchArgument(name, default_value=default, description=description)
         for name, default, description in ARGUMENTS]
        + [OpaqueFunction(function=launch_node)]
    )
