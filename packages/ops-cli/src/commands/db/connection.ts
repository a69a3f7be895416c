/**
 * Resolves where and how to connect (flags → PG* variables → --env), opens a pg client with the requested TLS mode,
 * and turns every connection failure into an CliError that names the host, the cause and the next step.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Client, ClientConfig } from 'pg';
import { EXIT, CliError, describeError, formatCommand } from '@cvat-cloud/runtime';
import type { GlobalOptions } from '../../context/global-options';
import type { Runtime } from '../../context/runtime';
import type { DbConnectionFlags, SslMode } from './options';
import { msg } from './messages';

/** Where a setting came from, reported by `db check`. */
export type SettingSource = 'flag' | 'env' | 'environment' | 'terraform' | 'key-vault' | 'default' | 'none';

/** A fully resolved connection (the password is kept out of JSON output by `describeConnection`). */
export interface ResolvedConnection {
  host: string;
  port: number;
  user: string;
  database: string;
  sslmode: SslMode;
  /** Path of the CA file, when one was given. */
  caFile?: string;
  connectTimeoutSeconds: number;
  password?: string;
  sources: Record<'host' | 'port' | 'user' | 'database' | 'sslmode' | 'password', SettingSource>;
  /** The next command, repeated in error messages (`cvat-ops db check --env dev`). */
  rerun: string;
}

const SSL_MODES: readonly SslMode[] = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** True for 127.0.0.0/8, ::1, localhost and unix socket directories. */
export function isLocalHost(host: string): boolean {
  return host.startsWith('/') || host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Values the environment can provide (host from terraform outputs or the derived server name, password from Key Vault). */
export interface EnvironmentDbDefaults {
  host?: { value: string; source: SettingSource };
  user?: string;
  database?: string;
  /** Fetches the password (Key Vault); called only when no PGPASSWORD is set. */
  password?: () => Promise<string>;
}

/**
 * Resolves the connection. `fromEnvironment` is only called when `--env` is set and something is still missing
 * (so PG*-only use never loads the catalogue or Azure SDKs).
 */
export async function resolveConnection(
  flags: DbConnectionFlags,
  global: Pick<GlobalOptions, 'env'>,
  runtime: Pick<Runtime, 'env'>,
  fromEnvironment?: () => Promise<EnvironmentDbDefaults>,
): Promise<ResolvedConnection> {
  const env = runtime.env;
  const sources = {} as ResolvedConnection['sources'];
  const pick = <T>(key: keyof ResolvedConnection['sources'], flag: T | undefined, envValue: T | undefined): T | undefined => {
    if (flag !== undefined) {
      sources[key] = 'flag';
      return flag;
    }
    if (envValue !== undefined && envValue !== '') {
      sources[key] = 'env';
      return envValue;
    }
    return undefined;
  };

  let host = pick('host', flags.host, env.PGHOST);
  const portRaw = pick('port', flags.port === undefined ? undefined : String(flags.port), env.PGPORT);
  let user = pick('user', flags.user, env.PGUSER);
  let database = pick('database', flags.database, env.PGDATABASE);
  const sslRaw = pick('sslmode', flags.sslmode, env.PGSSLMODE);
  const caFile = flags.ca ?? (env.PGSSLROOTCERT || undefined);
  let password = env.PGPASSWORD === undefined || env.PGPASSWORD === '' ? undefined : env.PGPASSWORD;
  sources.password = password === undefined ? 'none' : 'env';

  const port = portRaw === undefined ? 5432 : Number(portRaw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CliError(EXIT.USAGE, `'PGPORT' (${portRaw}) must be an integer between 1 and 65535.`);
  }
  if (portRaw === undefined) sources.port = 'default';
  if (sslRaw !== undefined && !SSL_MODES.includes(sslRaw as SslMode)) {
    throw new CliError(EXIT.USAGE, `'PGSSLMODE' (${sslRaw}) must be one of ${SSL_MODES.join(', ')}.`);
  }
  const timeoutRaw = flags.connectTimeoutSeconds ?? (env.PGCONNECT_TIMEOUT ? Number(env.PGCONNECT_TIMEOUT) : 10);
  if (!Number.isInteger(timeoutRaw) || timeoutRaw < 1 || timeoutRaw > 600) {
    throw new CliError(EXIT.USAGE, `'PGCONNECT_TIMEOUT' (${env.PGCONNECT_TIMEOUT}) must be an integer between 1 and 600 seconds.`);
  }

  let fromEnv = false;
  if (global.env && fromEnvironment && (host === undefined || user === undefined || password === undefined)) {
    const defaults = await fromEnvironment();
    if (host === undefined && defaults.host) {
      host = defaults.host.value;
      sources.host = defaults.host.source;
      fromEnv = true;
    }
    if (user === undefined && defaults.user) {
      user = defaults.user;
      sources.user = 'environment';
    }
    if (database === undefined && defaults.database) {
      database = defaults.database;
      sources.database = 'environment';
    }
    if (password === undefined && defaults.password) {
      password = await defaults.password();
      sources.password = 'key-vault';
    }
  }
  if (host === undefined) throw new CliError(EXIT.USAGE, msg.noHost);
  if (user === undefined) throw new CliError(EXIT.USAGE, msg.noUser(host));
  if (database === undefined) {
    database = 'cvat';
    sources.database = 'default';
  }
  let sslmode = sslRaw as SslMode | undefined;
  if (sslmode === undefined) {
    sslmode = host.startsWith('/') ? 'disable' : fromEnv || /\.postgres\.database\.azure\.com$/i.test(host) ? 'verify-full' : 'prefer';
    sources.sslmode = 'default';
  }
  const rerunParts = ['cvat-ops', 'db', 'check'];
  if (global.env) rerunParts.push('--env', global.env);
  if (sources.host === 'flag') rerunParts.push('--host', host);
  const resolved: ResolvedConnection = {
    host,
    port,
    user,
    database,
    sslmode,
    connectTimeoutSeconds: timeoutRaw,
    sources,
    rerun: formatCommand(rerunParts),
  };
  if (caFile !== undefined) resolved.caFile = caFile;
  if (password !== undefined) resolved.password = password;
  return resolved;
}

/** The connection flags as command-line arguments, for "run this next" hints (quote them with formatCommand). */
export function flagArgv(flags: DbConnectionFlags, env?: string): string[] {
  const parts: string[] = [];
  if (env) parts.push('--env', env);
  if (flags.host !== undefined) parts.push('--host', flags.host);
  if (flags.port !== undefined) parts.push('--port', String(flags.port));
  if (flags.user !== undefined) parts.push('--user', flags.user);
  if (flags.database !== undefined) parts.push('--database', flags.database);
  if (flags.sslmode !== undefined) parts.push('--sslmode', flags.sslmode);
  if (flags.ca !== undefined) parts.push('--ca', flags.ca);
  return parts;
}

/** {@link flagArgv} as shell words, each value quoted (runtime formatCommand). */
export function flagArgs(flags: DbConnectionFlags, env?: string): string {
  return formatCommand(flagArgv(flags, env));
}

/** `user@host:port/database (sslmode)` for messages. */
export function target(c: Pick<ResolvedConnection, 'user' | 'host' | 'port' | 'database'>): string {
  return `${c.user}@${c.host}:${c.port}/${c.database}`;
}

/** The connection as data (no password). */
export function describeConnection(c: ResolvedConnection): Record<string, unknown> {
  return {
    host: c.host,
    port: c.port,
    user: c.user,
    database: c.database,
    sslmode: c.sslmode,
    ca: c.caFile ?? null,
    connectTimeoutSeconds: c.connectTimeoutSeconds,
    sources: c.sources,
  };
}

async function sslOption(c: ResolvedConnection, mode: SslMode): Promise<ClientConfig['ssl']> {
  if (mode === 'disable') return false;
  if (mode === 'prefer' || mode === 'require') return { rejectUnauthorized: false };
  let ca: string | undefined;
  if (c.caFile) {
    try {
      ca = await readFile(c.caFile, 'utf8');
    } catch (error) {
      throw new CliError(EXIT.NOT_FOUND, msg.caUnreadable(c.caFile, describeError(error)), { cause: error });
    }
  }
  return {
    rejectUnauthorized: true,
    ...(ca ? { ca } : {}),
    // verify-ca checks the chain only; verify-full also checks the host name (Node's default check).
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    // SNI must not be an IP address.
    ...(isIP(c.host) ? {} : { servername: c.host }),
  };
}

/** An open connection and what was negotiated. */
export interface OpenConnection {
  client: Client;
  /** Milliseconds from connect() to ready. */
  connectMs: number;
  /** False when `prefer` fell back to plain TCP. */
  tlsRequested: boolean;
}

/** Opens a client or throws an CliError describing the failure (see {@link connectionError}). */
export async function openConnection(c: ResolvedConnection): Promise<OpenConnection> {
  const { Client } = await import('pg');
  const attempt = async (mode: SslMode): Promise<OpenConnection> => {
    const config: ClientConfig = {
      host: c.host,
      port: c.port,
      user: c.user,
      database: c.database,
      // A function, so pg never falls back to process.env.PGPASSWORD behind our back.
      password: () => c.password ?? '',
      ssl: await sslOption(c, mode),
      connectionTimeoutMillis: c.connectTimeoutSeconds * 1000,
      application_name: 'cvat-ops',
      keepAlive: true,
    };
    const client = new Client(config);
    // An error event after connect (server restart, network loss) must not crash the process.
    client.on('error', () => undefined);
    const started = performance.now();
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return { client, connectMs: Math.round(performance.now() - started), tlsRequested: mode !== 'disable' };
  };
  try {
    try {
      return await attempt(c.sslmode);
    } catch (error) {
      if (c.sslmode === 'prefer' && /does not support SSL/i.test(describeError(error))) return await attempt('disable');
      throw error;
    }
  } catch (error) {
    throw connectionError(error, c);
  }
}

const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** Maps a pg / socket / TLS error during connect to an CliError with a next step. */
export function connectionError(error: unknown, c: ResolvedConnection): CliError {
  if (error instanceof CliError) return error;
  const e = error as { code?: string; message?: string };
  const text = describeError(error);
  const where = `${c.host}:${c.port}`;
  const make = (code: (typeof EXIT)[keyof typeof EXIT], message: string): CliError => new CliError(code, message, { cause: error });
  switch (e.code) {
    case '28P01':
      return make(EXIT.AUTH, msg.wrongPassword(c));
    case '28000':
      return make(EXIT.AUTH, msg.rejected(c, e.message ?? text));
    case '3D000':
      return make(EXIT.NOT_FOUND, msg.missingDatabase(c));
    case 'ECONNREFUSED':
      return make(EXIT.UNAVAILABLE, msg.refused(where, c));
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make(EXIT.UNAVAILABLE, msg.unresolvable(c.host, c));
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return make(EXIT.UNAVAILABLE, msg.timeout(where, c));
    case 'ENOENT':
      if (c.host.startsWith('/')) return make(EXIT.UNAVAILABLE, msg.noSocket(c));
      break;
    default:
      break;
  }
  if (e.code && TLS_VERIFY_CODES.has(e.code)) return make(EXIT.CONFIG, msg.tlsUnverified(c, e.code, text));
  if (/does not support SSL/i.test(text)) return make(EXIT.CONFIG, msg.tlsNotOffered(c));
  if (/timeout|timed out/i.test(text)) return make(EXIT.UNAVAILABLE, msg.timeout(where, c));
  if (/client password must be a string|password authentication|SASL/i.test(text) && c.password === undefined) {
    return make(EXIT.AUTH, msg.passwordNeeded(c));
  }
  if (/Connection terminated unexpectedly|ECONNRESET|socket hang up/i.test(text))
    return make(EXIT.UNAVAILABLE, msg.dropped(where, c, text));
  return make(EXIT.FAILED, msg.connectFailed(c, text));
}

/** Closes a client, ignoring errors. */
export async function closeConnection(client: Client): Promise<void> {
  await client.end().catch(() => undefined);
}
