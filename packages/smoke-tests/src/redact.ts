/**
 * Secrets never reach the output: every line the CLI prints and every report file it writes passes through a
 * {@link Redactor}, which masks the password of any URL's user information (`https://admin:***@host`) and every
 * secret it was given (the superuser password from a flag, the URL, `CVAT_PASSWORD` or Key Vault), also in the
 * escaped forms the JSON and JUnit reports use.
 */

/** Mask that replaces a secret. */
export const MASK = '***';

/**
 * Secrets shorter than this are not masked inside other text: masking a one-letter password would garble every
 * line. They are still never printed on purpose (the CLI prints where a password came from, never the password).
 * @default 4
 */
export const MIN_MASKED_LENGTH = 4;

/**
 * `https://admin:secret@host/` → `https://admin:***@host/`: the user information's password masked, anywhere in
 * `text`. Everything up to the last `@` of the word (white space, quotes and angle brackets end it) counts as the
 * password, as the WHATWG URL parser takes the last `@`, so an unencoded `/`, `:` or `@` in it is masked too; a URL
 * with an `@` later in its path is over-masked, which is the safe side.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/@:"'<>]*:)[^\s"'<>]*@/gi, `$1${MASK}@`);
}

/** The password of a URL's user information, also when the rest of the URL does not parse. */
export function urlPassword(text: string): string | undefined {
  const m = /^\s*[a-z][a-z0-9+.-]*:\/\/[^\s/@:"'<>]*:([^\s"'<>]*)@/i.exec(text);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/**
 * The secrets a command line and environment carry before anything is parsed: `--password` values, passwords in
 * URL arguments and `CVAT_PASSWORD`, so even an error about a malformed argument cannot echo them.
 */
export function secretsIn(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--password' && i + 1 < argv.length) secrets.push(argv[i + 1]!);
    if (arg.startsWith('--password=')) secrets.push(arg.slice('--password='.length));
    const inUrl = urlPassword(arg.replace(/^--[a-z-]+=/, ''));
    if (inUrl) secrets.push(inUrl);
  });
  for (const name of ['CVAT_PASSWORD', 'CVAT_URL']) {
    const value = env[name];
    if (!value) continue;
    secrets.push(...(name === 'CVAT_URL' ? [urlPassword(value)].filter((v): v is string => v !== undefined) : [value]));
  }
  return secrets;
}

/** Escapes as the reports do, so a secret is found in them too. */
function variants(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const xml = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  return [...new Set([secret, json, xml, encodeURIComponent(secret)])];
}

/** Something text is written to. */
export interface TextSink {
  write(text: string): unknown;
}

/** Masks secrets in text. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Adds secrets to mask (empty and short ones are ignored, see {@link MIN_MASKED_LENGTH}). */
  add(...secrets: readonly (string | undefined)[]): this {
    for (const secret of secrets) {
      if (secret === undefined || secret.length < MIN_MASKED_LENGTH) continue;
      for (const form of variants(secret)) this.secrets.add(form);
    }
    return this;
  }

  /** `text` with URL passwords and every known secret masked. */
  redact(text: string): string {
    let out = redactUrlCredentials(text);
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join(MASK);
    return out;
  }

  /** A sink that masks everything written to `sink`. */
  wrap(sink: TextSink): TextSink {
    return { write: (text: string) => sink.write(this.redact(text)) };
  }
}
