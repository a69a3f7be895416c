/**
 * Sentence ends in composed messages. A message ends a clause with '.', and a reason quoted inside it (an ARM error
 * such as "The Resource '…' was not found.", a Node error) often ends with its own, which made "…not found.. Retry".
 * Light (no imports): the CLI edge uses it on every error it prints.
 */

/** `text` with a doubled full stop before a space or the end collapsed to one; an ellipsis (`...`), `../` and a lone `..` are left alone. */
export function tidyMessage(text: string): string {
  return text.replace(/(?<=[^\s.])\.\.(?=\s|$)/g, '.');
}

/** `reason` without its final full stop, for quoting inside a sentence that adds its own. */
export function clause(reason: string): string {
  return reason.replace(/(?<!\.)\.\s*$/, '');
}
