/**
 * Shares identical GETs that are in flight at the same time: the cards of a
 * model page mount together and several ask for the same versions or usage,
 * so one request answers all of them. Each caller gets its own copy of the
 * body (a card may sort or change what it receives); nothing is kept once the
 * request settles, so a later call always asks the hub again.
 */
export class SharedGets {
  readonly #inFlight = new Map<string, Promise<unknown>>();

  /** Runs `load` for `key` unless a load of `key` is in flight; resolves to a copy. */
  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    let pending = this.#inFlight.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = load().finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return structuredClone(await pending);
  }
}
