/** A step that cannot go on for a reason the user can fix (exit code 2 unless said otherwise). */
export class EngineError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'EngineError';
  }
}
