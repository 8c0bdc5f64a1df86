import { PassThrough } from 'node:stream';

/** A stream a {@link feedInto} pump writes into (a decompressor). */
export type FeedTarget = NodeJS.WritableStream & {
  destroyed: boolean;
  destroy(error?: Error): unknown;
};

/** A running {@link feedInto} pump. */
export interface Feed {
  /** The pass-through the pump writes; destroy it to stop the pump. */
  feed: PassThrough;
  /** Settles when the pump stops; never awaited before the target is read. */
  done: Promise<void>;
  /** What reading `input` threw (the target was destroyed with it). */
  readonly error: unknown;
}

/**
 * Writes `input` into `target` through a pass-through with back-pressure,
 * ending it when the input ends. The consumer of `target` may stop early and
 * destroy both streams at any point, so the pump never waits for a 'drain'
 * or 'close' that already happened. An input error destroys `target`.
 */
export function feedInto(
  input: AsyncIterable<Buffer | Uint8Array>,
  target: FeedTarget,
): Feed {
  const feed = new PassThrough();
  feed.on('error', () => undefined);
  target.on('error', () => undefined);
  feed.pipe(target);
  let error: unknown;
  const done = (async () => {
    try {
      for await (const chunk of input) {
        if (feed.destroyed || target.destroyed) return;
        if (!feed.write(chunk)) {
          if (feed.destroyed) return;
          // remove both listeners: one wait per chunk must not pile up
          await new Promise<void>(resolve => {
            const resume = () => {
              feed.off('drain', resume);
              feed.off('close', resume);
              resolve();
            };
            feed.once('drain', resume);
            feed.once('close', resume);
          });
        }
      }
      if (!feed.destroyed) feed.end();
    } catch (e) {
      error = e;
      target.destroy(e as Error);
    }
  })();
  return {
    feed,
    done,
    get error() {
      return error;
    },
  };
}
