import type { IConstruct } from 'constructs';

/**
 * The one error type of the infra layer: a construct was given a value it cannot turn into a valid
 * Azure resource.
 *
 * The message starts with the construct path (so the offending component is obvious in a stack of
 * thirty apps), then the quoted field path, the value received and what is allowed, e.g.
 * `apps/cvat-server: 'replicas.max' (500) must be between 1 and 300`. `code` is a stable identifier
 * (`ReplicasOutOfRange`) that tests and callers can match without parsing the text.
 *
 * @see https://learn.microsoft.com/azure/container-apps/containers
 */
export class ValidationError extends Error {
  /** The construct path (`<stack>/<id>/...`) where the bad value was given. */
  public readonly constructPath: string;
  /** A stable, PascalCase code for the rule that failed. */
  public readonly code: string;
  /** The rule text without the construct path prefix. */
  public readonly detail: string;

  /**
   * @param code stable identifier of the rule, e.g. `NameTooLong`
   * @param detail the rule text: quoted field path, value, what is allowed
   * @param scope the construct that received the value
   */
  constructor(code: string, detail: string, scope: IConstruct) {
    super(`${scope.node.path}: ${detail}`);
    this.name = 'ValidationError';
    this.code = code;
    this.detail = detail;
    this.constructPath = scope.node.path;
  }
}
