/**
 * results/errors — the error a results input raises when the user can fix it (a bad file,
 * incompatible runs); its own module so the loader, the calibration reader and the schema do not
 * import each other in a circle.
 */
/** An input problem the user can fix (bad file, incompatible runs); the message names the file. */
export class ResultsInputError extends Error {
  override name = 'ResultsInputError';
  /** the file (or input path) the problem is about, when there is one */
  readonly file?: string;
  /** the message without the leading "<file>: " */
  readonly reason: string;
  constructor(message: string, where?: { file: string; reason: string }) {
    super(message);
    this.file = where?.file;
    this.reason = where?.reason ?? message;
  }
}
