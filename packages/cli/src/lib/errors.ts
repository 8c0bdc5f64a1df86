/** A mistake in how the CLI was called: exits with code 4. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
