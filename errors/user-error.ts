/**
 * An error caused by the user's input (a file, an option, a line of a config),
 * as opposed to a bug. The CLI prints its message alone, without a stack trace,
 * so the message must name what was wrong and where.
 */
export class UserError extends Error {
  override name = 'UserError';
}
