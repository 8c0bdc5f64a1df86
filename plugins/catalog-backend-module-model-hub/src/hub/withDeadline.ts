/**
 * `work` or, after `ms`, a rejection naming `what`. The catalog's processing
 * pipeline runs ten entities at a time: a snapshot load that never settles
 * (a token, discovery or body read that ignores the fetch's abort signal)
 * would hold every model's processing, and so the whole catalog, forever.
 */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took longer than ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
