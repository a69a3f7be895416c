/**
 * Keeping secrets out of everything a tool prints. Every line a command prints about a URL, a connection string or
 * an error that may quote one goes through {@link redactSecrets} (runMain does it for every error): credentials in
 * URLs (`user:pw@`), the values of secret-looking query and connection-string parameters (`password=`, `token=`,
 * `sig=`, `AccountKey=` …) and the values of known secrets (the secret environment variables of the process, see
 * {@link secretValuesFromEnv}) are replaced by {@link REDACTED}. Light: no imports, usable from a CLI's entry module.
 */

/** What a redacted value is replaced by. */
export const REDACTED = '***';

/**
 * Parameter names whose value is a secret, in query strings (`?sig=…&token=…`), `;`-separated connection strings
 * (`AccountKey=…;SharedAccessSignature=…`) and `NAME=value` words. Matched case-insensitively; a long name also with
 * any prefix (`PGPASSWORD=`, `client_secret=`, `x-api-token=`), a short one alone or after `_`/`-` (`x-api-key=`).
 * `sig` is the signature of an Azure SAS token (https://learn.microsoft.com/rest/api/storageservices/create-service-sas).
 */
export const SECRET_PARAMETER_NAMES: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'signature',
  'apikey',
  'accountkey',
  'sharedaccesskey',
  'sharedaccesssignature',
  'credential',
  'credentials',
  'pwd',
  'pass',
  'sig',
  'key',
  'auth',
  'authorization',
];

/** Names of {@link SECRET_PARAMETER_NAMES} that match only alone or after `_`/`-` (`monkey=` is not a key). */
const SHORT_PARAMETER_NAMES = new Set(['pwd', 'pass', 'sig', 'key', 'auth', 'authorization']);

/** Environment variable names whose value is a secret (`PGPASSWORD`, `ARM_CLIENT_SECRET`, `GITHUB_TOKEN`, …). */
const SECRET_VARIABLE = /(PASSWORD|PASSWD|SECRET|TOKEN|ACCESSTOKEN|ACCOUNT_KEY|STORAGE_KEY|ACCESS_KEY|API_KEY|_SAS|CONNECTION_STRING)$/i;

/**
 * Shorter values are not redacted by value: a short value (`PGPASSWORD=cvat` in a dev shell) would blank out ordinary
 * words of every line (`***-server`). URL credentials and secret parameters are redacted whatever their length.
 */
export const MIN_SECRET_LENGTH = 8;

/**
 * The values of the secret variables of `env` (names ending in PASSWORD, SECRET, TOKEN, ACCOUNT_KEY, STORAGE_KEY,
 * ACCESS_KEY, API_KEY, _SAS, CONNECTION_STRING), at least {@link MIN_SECRET_LENGTH} characters long, for
 * {@link redactSecrets}.
 */
export function secretValuesFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && SECRET_VARIABLE.test(name) && value.trim().length >= MIN_SECRET_LENGTH) values.add(value.trim());
  }
  return [...values];
}

const remembered = new Set<string>();

/**
 * Remembers a secret this process obtained at run time (a Key Vault value, a generated password) so everything
 * printed afterwards by runMain, and by any tool that passes {@link rememberedSecrets} to redactSecrets, hides it.
 * Values shorter than {@link MIN_SECRET_LENGTH} are ignored.
 */
export function rememberSecret(value: string): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) remembered.add(value);
}

/** The secrets given to {@link rememberSecret} so far in this process. */
export function rememberedSecrets(): string[] {
  return [...remembered];
}

const LONG_NAMES = SECRET_PARAMETER_NAMES.filter((n) => !SHORT_PARAMETER_NAMES.has(n)).join('|');
const SHORT_NAMES = [...SHORT_PARAMETER_NAMES].join('|');
const PARAMETER = new RegExp(
  `(^|[?&;#\\s,'"(])((?:[A-Za-z0-9_-]*(?:${LONG_NAMES}))|(?:(?:[A-Za-z0-9]+[_-])*(?:${SHORT_NAMES})))(=)([^&;#\\s'",)]*)`,
  'gi',
);
// scheme://user:password@ — the password runs to the last '@' before the host (an unencoded '@' in it is kept whole)
const USER_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#]*)@/gi;
// scheme://token@ — a user name alone is often a token (https://<token>@github.com)
const USER_ONLY = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]+)@/gi;

/**
 * `text` with every secret replaced by `***`: the values in `secrets` (and their URL-encoded forms; values shorter
 * than {@link MIN_SECRET_LENGTH} are ignored), URL credentials (`postgres://cvat:pw@host` → `postgres://cvat:***@host`,
 * `https://token@host` → `https://***@host`) and secret parameters (`?sig=…`, `password=…`, `AccountKey=…;`).
 * Works on whole lines and on text with URLs anywhere in it; never throws.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = String(text);
  const values = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) continue;
    values.add(s);
    const encoded = encodeURIComponent(s);
    if (encoded !== s) values.add(encoded);
  }
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  out = out.replace(USER_PASSWORD, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  out = out.replace(USER_ONLY, (m, scheme: string, user: string) => (user === REDACTED ? m : `${scheme}${REDACTED}@`));
  out = out.replace(PARAMETER, (m, lead: string, name: string, eq: string, value: string) =>
    value === '' || value === REDACTED ? m : `${lead}${name}${eq}${REDACTED}`,
  );
  return out;
}

/** A URL (or connection string) safe to print: {@link redactSecrets} without known values. */
export function redactUrl(url: string): string {
  return redactSecrets(url);
}

/**
 * A user-supplied value made safe to quote inside a one-line message: control characters (newlines, ESC of terminal
 * escape sequences, NUL) shown as `\n`, `\x1b`, … and the text cut to `maxLength` characters with `…`. Secrets are
 * not removed here; combine with {@link redactSecrets}.
 */
export function printable(value: unknown, maxLength = 120): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the purpose (they are shown as escapes)
  const text = String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
  return text.length > maxLength ? `${text.slice(0, Math.max(1, maxLength - 1))}…` : text;
}
