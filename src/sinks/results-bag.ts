// seqvpr results recorded as a rosbag2 MCAP bag of seqvpr messages, on the topics the node
// publishes, so a replay's output can be inspected with the same tools (ros2 bag, Foxglove) and
// consumed by the same back ends as the live node's.
import { McapBagWriter, type McapBagWriterOptions, type WrittenBag } from '../bag/writer.js';
import { LOOP_CLOSURE_TYPE, PLACE_MATCH_TYPE } from '../ros/message-types.js';
import { messageDefinitionText } from '../ros/msg-definitions.js';
import { toLoopClosureMsg, toPlaceMatchMsg } from '../ros/messages.js';

/** Topic names of the node as launched (seqvpr_node in the root namespace: ~/place_match, ~/loop_closure). */
export const DEFAULT_RESULT_TOPICS = {
  placeMatch: '/seqvpr_node/place_match',
  loopClosure: '/seqvpr_node/loop_closure',
} as const;

export interface ResultsBagOptions extends McapBagWriterOptions {
  topics?: Partial<Record<keyof typeof DEFAULT_RESULT_TOPICS, string>>;
}

export class ResultsBagWriter {
  #declared = new Set<string>();

  private constructor(
    private readonly bag: McapBagWriter,
    readonly topics: Record<keyof typeof DEFAULT_RESULT_TOPICS, string>,
  ) {}

  /** Starts a bag in folder `dir`, which must not exist yet. */
  static async create(dir: string, options: ResultsBagOptions = {}): Promise<ResultsBagWriter> {
    const { topics, ...bagOptions } = options;
    return new ResultsBagWriter(await McapBagWriter.create(dir, bagOptions), { ...DEFAULT_RESULT_TOPICS, ...topics });
  }

  /** Records a PlaceMatch at its query image's stamp (the log time a live recording would show). */
  async writePlaceMatch(i: Parameters<typeof toPlaceMatchMsg>[0]): Promise<void> {
    const message = toPlaceMatchMsg(i);
    await this.#declare(this.topics.placeMatch, PLACE_MATCH_TYPE);
    await this.bag.write(this.topics.placeMatch, i.header.stamp, message);
  }

  /** Records a LoopClosure at the new keyframe's stamp. */
  async writeLoopClosure(i: Parameters<typeof toLoopClosureMsg>[0]): Promise<void> {
    const message = toLoopClosureMsg(i);
    await this.#declare(this.topics.loopClosure, LOOP_CLOSURE_TYPE);
    await this.bag.write(this.topics.loopClosure, i.header.stamp, message);
  }

  /** Finishes the bag (metadata.yaml included) and moves it into place. */
  close(): Promise<WrittenBag> {
    return this.bag.close();
  }

  /** Discards the unfinished bag (nothing is left at `dir`). */
  abort(): Promise<void> {
    return this.bag.abort();
  }

  /** Topics are declared on first use, so a run without loop closures records no empty topic. */
  async #declare(topic: string, type: string): Promise<void> {
    if (this.#declared.has(topic)) return;
    // Reliable, like the node's publishers: a result that was published must not be dropped.
    await this.bag.addTopic(topic, type, 'default', messageDefinitionText(type));
    this.#declared.add(topic);
  }
}
