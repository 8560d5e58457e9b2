// One warning per problem: opening a file and every later pass over it hit the same damage.

/** Reports each problem key once. */
export class WarnOnce {
  readonly #seen = new Set<string>();
  constructor(private readonly warn: (message: string) => void) {}

  report(key: string, message: string): void {
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.warn(message);
  }
}
