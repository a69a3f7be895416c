/**
 * Quoting for the commands we suggest ("run this next: …"), so a suggestion that echoes user input (an environment
 * path, a component name, an SQL statement) is safe to paste into a shell: each argument arrives as one word and
 * nothing in it is expanded or run. Light: no imports, usable from a CLI's entry module.
 */

// Characters that never need quoting in a POSIX shell word (no expansion, globbing, splitting or redirection).
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
// Control characters (newline, ESC of terminal escape sequences, NUL …) cannot be shown inside '…' safely.
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the purpose (they force ANSI-C quoting)
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * One argument as a shell word: unchanged when it consists only of `A-Z a-z 0-9 _ @ % + = : , . / -` (and is not
 * empty), otherwise in POSIX single quotes with each `'` written as `'\''` (`x;touch pwned` → `'x;touch pwned'`,
 * `it's` → `'it'\''s'`, `` → `''`). An argument with control characters (a newline, ESC) uses ANSI-C quoting
 * `$'…'` (POSIX.1-2024 sh, bash, zsh, ksh) so the printed line stays one line and no escape sequence reaches the
 * terminal. A leading `~` or `#` is quoted too.
 *
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_02 (Quoting)
 */
export function shellQuote(arg: string): string {
  const text = String(arg);
  if (text !== '' && SAFE.test(text)) return text;
  if (CONTROL.test(text)) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the purpose (each is written as an escape)
    const body = text.replace(/[\\'\u0000-\u001f\u007f-\u009f]/g, (c) => {
      if (c === '\\') return '\\\\';
      if (c === "'") return "\\'";
      if (c === '\n') return '\\n';
      if (c === '\r') return '\\r';
      if (c === '\t') return '\\t';
      return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    });
    return `$'${body}'`;
  }
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * A command line from its arguments, each quoted with {@link shellQuote}: `formatCommand(['cvat-ops', 'apps',
 * 'delete', '--env', 'x;rm -rf ~'])` → `cvat-ops apps delete --env 'x;rm -rf ~'`. The first word is also quoted
 * when it contains `=` (it would otherwise be read as a variable assignment).
 */
export function formatCommand(argv: readonly string[]): string {
  return argv.map((arg, i) => (i === 0 && arg.includes('=') ? `'${arg.replace(/'/g, "'\\''")}'` : shellQuote(arg))).join(' ');
}
