/* eslint-disable camelcase */
// Stand-in for rclnodejs's types/interfaces.d.ts, which rclnodejs generates at install time from the
// sourced ROS 2 workspace (rostsd_gen) and therefore does not ship in its npm package. It declares,
// in the generator's own format, the ROS interfaces rclnodejs's declarations refer to (time,
// parameters, lifecycle, action ids) and the type maps its generic signatures are built on.
// seqvpr's adapter names message types with rclnodejs's {package, type, name} descriptor form, whose
// messages are typed `object` whatever this file lists, so the check does not depend on ROS being
// installed. Field shapes follow the ROS 2 Jazzy .msg/.srv files.
declare module 'rclnodejs' {
  namespace builtin_interfaces {
    namespace msg {
      export interface Time {
        sec: number;
        nanosec: number;
      }
      export interface TimeConstructor {
        new (other?: Time): Time;
      }
      export interface Duration {
        sec: number;
        nanosec: number;
      }
      export interface DurationConstructor {
        new (other?: Duration): Duration;
      }
    }
  }

  namespace std_msgs {
    namespace msg {
      export interface String {
        data: string;
      }
      export interface StringConstructor {
        new (other?: String): String;
      }
    }
  }

  namespace unique_identifier_msgs {
    namespace msg {
      export interface UUID {
        uuid: number[] | Uint8Array;
      }
      export interface UUIDConstructor {
        new (other?: UUID): UUID;
      }
    }
  }

  namespace action_msgs {
    namespace msg {
      export interface GoalInfo {
        goal_id: unique_identifier_msgs.msg.UUID;
        stamp: builtin_interfaces.msg.Time;
      }
      export interface GoalInfoConstructor {
        new (other?: GoalInfo): GoalInfo;
      }
    }
    namespace srv {
      export interface CancelGoal_Request {
        goal_info: action_msgs.msg.GoalInfo;
      }
      export interface CancelGoal_RequestConstructor {
        new (other?: CancelGoal_Request): CancelGoal_Request;
      }
      export interface CancelGoal_Response {
        return_code: number;
        goals_canceling: action_msgs.msg.GoalInfo[];
      }
      export interface CancelGoal_ResponseConstructor {
        readonly ERROR_NONE: number;
        readonly ERROR_REJECTED: number;
        readonly ERROR_UNKNOWN_GOAL_ID: number;
        readonly ERROR_GOAL_TERMINATED: number;
        new (other?: CancelGoal_Response): CancelGoal_Response;
      }
      export interface CancelGoalConstructor extends ROSService {
        readonly Request: CancelGoal_RequestConstructor;
        readonly Response: CancelGoal_ResponseConstructor;
      }
    }
  }

  namespace lifecycle_msgs {
    namespace msg {
      export interface Transition {
        id: number;
        label: string;
      }
      export interface TransitionConstructor {
        readonly TRANSITION_CREATE: number;
        readonly TRANSITION_CONFIGURE: number;
        readonly TRANSITION_CLEANUP: number;
        readonly TRANSITION_ACTIVATE: number;
        readonly TRANSITION_DEACTIVATE: number;
        readonly TRANSITION_CALLBACK_SUCCESS: number;
        readonly TRANSITION_CALLBACK_FAILURE: number;
        readonly TRANSITION_CALLBACK_ERROR: number;
        new (other?: Transition): Transition;
      }
    }
  }

  namespace rcl_interfaces {
    namespace msg {
      export interface ParameterValue {
        type: number;
        bool_value: boolean;
        integer_value: bigint;
        double_value: number;
        string_value: string;
        byte_array_value: number[] | Uint8Array;
        bool_array_value: boolean[];
        integer_array_value: bigint[];
        double_array_value: number[] | Float64Array;
        string_array_value: string[];
      }
      export interface ParameterValueConstructor {
        new (other?: ParameterValue): ParameterValue;
      }
      export interface Parameter {
        name: string;
        value: rcl_interfaces.msg.ParameterValue;
      }
      export interface ParameterConstructor {
        new (other?: Parameter): Parameter;
      }
      export interface FloatingPointRange {
        from_value: number;
        to_value: number;
        step: number;
      }
      export interface FloatingPointRangeConstructor {
        new (other?: FloatingPointRange): FloatingPointRange;
      }
      export interface IntegerRange {
        from_value: bigint;
        to_value: bigint;
        step: bigint;
      }
      export interface IntegerRangeConstructor {
        new (other?: IntegerRange): IntegerRange;
      }
      export interface ParameterDescriptor {
        name: string;
        type: number;
        description: string;
        additional_constraints: string;
        read_only: boolean;
        dynamic_typing: boolean;
        floating_point_range: rcl_interfaces.msg.FloatingPointRange[];
        integer_range: rcl_interfaces.msg.IntegerRange[];
      }
      export interface ParameterDescriptorConstructor {
        new (other?: ParameterDescriptor): ParameterDescriptor;
      }
      export interface SetParametersResult {
        successful: boolean;
        reason: string;
      }
      export interface SetParametersResultConstructor {
        new (other?: SetParametersResult): SetParametersResult;
      }
    }
  }

  type MessagesMap = {
    'string': string,
    'builtin_interfaces/msg/Time': builtin_interfaces.msg.Time,
    'builtin_interfaces/msg/Duration': builtin_interfaces.msg.Duration,
    'std_msgs/msg/String': std_msgs.msg.String,
    'unique_identifier_msgs/msg/UUID': unique_identifier_msgs.msg.UUID,
    'action_msgs/msg/GoalInfo': action_msgs.msg.GoalInfo,
    'lifecycle_msgs/msg/Transition': lifecycle_msgs.msg.Transition,
    'rcl_interfaces/msg/ParameterValue': rcl_interfaces.msg.ParameterValue,
    'rcl_interfaces/msg/Parameter': rcl_interfaces.msg.Parameter,
    'rcl_interfaces/msg/FloatingPointRange': rcl_interfaces.msg.FloatingPointRange,
    'rcl_interfaces/msg/IntegerRange': rcl_interfaces.msg.IntegerRange,
    'rcl_interfaces/msg/ParameterDescriptor': rcl_interfaces.msg.ParameterDescriptor,
    'rcl_interfaces/msg/SetParametersResult': rcl_interfaces.msg.SetParametersResult,
  };
  type MessageTypeClassName = keyof MessagesMap;
  type Message = MessagesMap[MessageTypeClassName];
  type MessageType<T> = T extends MessageTypeClassName ? MessagesMap[T] : T extends new (...args: any[]) => infer R ? R : object;

  type MessageTypeClassConstructorMap = {
    'string': never,
    'builtin_interfaces/msg/Time': builtin_interfaces.msg.TimeConstructor,
    'builtin_interfaces/msg/Duration': builtin_interfaces.msg.DurationConstructor,
    'std_msgs/msg/String': std_msgs.msg.StringConstructor,
    'unique_identifier_msgs/msg/UUID': unique_identifier_msgs.msg.UUIDConstructor,
    'action_msgs/msg/GoalInfo': action_msgs.msg.GoalInfoConstructor,
    'lifecycle_msgs/msg/Transition': lifecycle_msgs.msg.TransitionConstructor,
    'rcl_interfaces/msg/ParameterValue': rcl_interfaces.msg.ParameterValueConstructor,
    'rcl_interfaces/msg/Parameter': rcl_interfaces.msg.ParameterConstructor,
    'rcl_interfaces/msg/FloatingPointRange': rcl_interfaces.msg.FloatingPointRangeConstructor,
    'rcl_interfaces/msg/IntegerRange': rcl_interfaces.msg.IntegerRangeConstructor,
    'rcl_interfaces/msg/ParameterDescriptor': rcl_interfaces.msg.ParameterDescriptorConstructor,
    'rcl_interfaces/msg/SetParametersResult': rcl_interfaces.msg.SetParametersResultConstructor,
  };
  type MessageConstructorType<T> = T extends MessageTypeClassName ? MessageTypeClassConstructorMap[T] : object;

  type ServicesMap = {
    'action_msgs/srv/CancelGoal': action_msgs.srv.CancelGoalConstructor,
  };
  type ServiceTypeClassName = keyof ServicesMap;
  type Service = ServicesMap[ServiceTypeClassName];
  type ServiceType<T> = T extends ServiceTypeClassName ? ServicesMap[T] : T extends { Request: any; Response: any } ? T : object;

  type ActionsMap = {};
  type ActionTypeClassName = keyof ActionsMap;
  type Action = ActionsMap[ActionTypeClassName];
  type ActionType<T> = T extends ActionTypeClassName ? ActionsMap[T] : T extends { Goal: any; Feedback: any; Result: any } ? T : object;

  type TypeClassName = MessageTypeClassName | ServiceTypeClassName | ActionTypeClassName;
  type InterfaceType<T> = T extends TypeClassName ? (MessageTypeClassConstructorMap & ServicesMap & ActionsMap)[T] : object;
}
