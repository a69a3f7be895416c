/**
 * Splits SQL text at top-level semicolons, the way psql decides a statement is complete: semicolons inside
 * '…' strings (with '' escapes), "…" identifiers, $tag$…$tag$ bodies, -- line comments and nested block comments
 * do not count.
 */
export interface SplitResult {
  /** Complete statements, trimmed, without the terminating semicolon; empty statements are dropped. */
  statements: string[];
  /** Text after the last top-level semicolon (an unfinished statement). */
  rest: string;
}

export function splitStatements(text: string): SplitResult {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === "'" || ch === '"') {
      // quoted: '' (or "") is an escaped quote
      i++;
      while (i < n) {
        if (text[i] === ch) {
          if (text[i + 1] === ch) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (ch === '-' && next === '-') {
      while (i < n && text[i] !== '\n') i++;
    } else if (ch === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (ch === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      // `$1` parameters and identifiers like a$b are not dollar quotes
      const prev = i > 0 ? text[i - 1]! : ' ';
      if (m && !/[A-Za-z0-9_]/.test(prev)) {
        const tag = m[0];
        const end = text.indexOf(tag, i + tag.length);
        i = end === -1 ? n : end + tag.length;
      } else i++;
    } else if (ch === ';') {
      const stmt = text.slice(start, i).trim();
      if (stmt && !isOnlyComments(stmt)) statements.push(stmt);
      start = i + 1;
      i++;
    } else i++;
  }
  return { statements, rest: text.slice(start) };
}

/** True when the text has nothing but whitespace and comments. */
export function isOnlyComments(text: string): boolean {
  return (
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--[^\n]*/g, '')
      .trim() === ''
  );
}
