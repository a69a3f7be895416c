/** User-facing text of the db commands (house style rule 15). */
import type { ResolvedConnection } from './connection';

const t = (c: Pick<ResolvedConnection, 'user' | 'host' | 'port' | 'database'>): string => `${c.user}@${c.host}:${c.port}/${c.database}`;

const passwordFrom = (c: ResolvedConnection): string =>
  c.sources.password === 'key-vault' ? 'the Key Vault secret' : c.sources.password === 'env' ? 'PGPASSWORD' : 'no password';

export const msg = {
  noHost:
    "No database host: pass --host, set PGHOST, or pass --env <name> to use the environment's PostgreSQL server. Example: cvat-ops db check --env dev",
  noUser: (host: string): string =>
    `No database user for ${host}: pass --user or set PGUSER (or --env <name> to use the environment's administrator login).`,
  caUnreadable: (file: string, why: string): string =>
    `Cannot read the CA certificate '${file}' (${why}); pass a PEM file with --ca or PGSSLROOTCERT.`,
  wrongPassword: (c: ResolvedConnection): string =>
    `Password authentication failed for user '${c.user}' on ${c.host}:${c.port} (password from ${passwordFrom(c)}). ` +
    `Check the password${c.sources.password === 'key-vault' ? ' secret in Key Vault' : ' (PGPASSWORD)'} and the user name, then run: ${c.rerun}`,
  passwordNeeded: (c: ResolvedConnection): string =>
    `${c.host}:${c.port} asks for a password for user '${c.user}' but none was given: set PGPASSWORD, or pass --env <name> to read it from Key ` +
    `Vault. Then run: ${c.rerun}`,
  rejected: (c: ResolvedConnection, serverMessage: string): string =>
    `The server ${c.host}:${c.port} rejected ${t(c)}: ${serverMessage}.` +
    (/no encryption|SSL off/i.test(serverMessage) && c.sslmode === 'disable'
      ? ' It requires TLS: use --sslmode require or verify-full.'
      : ' Check pg_hba rules / firewall rules for this client address.') +
    ` Then run: ${c.rerun}`,
  missingDatabase: (c: ResolvedConnection): string =>
    `Database '${c.database}' ` +
    `does not exist on ${c.host}:${c.port}. List the databases with: cvat-ops db query "select datname from pg_database" --database postgres` +
    (c.database === 'cvat' ? '. The cvat database is created by the infra deploy (foundation stack).' : ''),
  refused: (where: string, c: ResolvedConnection): string =>
    `Nothing accepts connections at ${where} (connection refused). Check the host and port${c.sources.host === 'env' ? ' (PGHOST/PGPORT)' : ''} ` +
    `and that the server is running, then run: ${c.rerun}`,
  unresolvable: (host: string, c: ResolvedConnection): string =>
    `The host name '${host}' does not resolve. Azure PostgreSQL behind a private endpoint resolves only inside the virtual network: run from a ` +
    `machine in the VNet (or through a tunnel with --host 127.0.0.1), then run: ${c.rerun}`,
  timeout: (where: string, c: ResolvedConnection): string =>
    `No answer from ${where} within ${c.connectTimeoutSeconds} s. A firewall, NSG or private endpoint is probably in the way (or the server is ` +
    `paused); raise --connect-timeout only if the network is slow. Then run: ${c.rerun}`,
  noSocket: (c: ResolvedConnection): string =>
    `No PostgreSQL unix socket in '${c.host}' for port ${c.port}; check --host/PGHOST and --port.`,
  tlsUnverified: (c: ResolvedConnection, code: string, detail: string): string =>
    `The TLS certificate of ${c.host}:${c.port} could not be verified (${code}: ${detail}) with sslmode=${c.sslmode}. ` +
    `Pass the server's CA with --ca <pem> (or PGSSLROOTCERT)${c.sslmode === 'verify-full' ? ', or connect by the name in the certificate' : ''}, ` +
    `then run: ${c.rerun}`,
  tlsNotOffered: (c: ResolvedConnection): string =>
    `TLS is required (sslmode=${c.sslmode}) ` +
    `but ${c.host}:${c.port} does not offer TLS. Azure Database for PostgreSQL always offers it, so this is probably not the server you meant; ` +
    `for a local test server use --sslmode disable or prefer.`,
  dropped: (where: string, c: ResolvedConnection, detail: string): string =>
    `The connection to ${where} was closed during the handshake (${detail}); this happens when TLS settings do not match the server or a proxy ` +
    `cuts it. Try --sslmode require, then run: ${c.rerun}`,
  connectFailed: (c: ResolvedConnection, detail: string): string => `Could not connect to ${t(c)}: ${detail}. Then run: ${c.rerun}`,
  readOnlyRefused: (detail: string): string =>
    [
      `Refused: the statement tries to write (${detail}) but db query runs read-only. Nothing was changed.`,
      'If the write is intended, re-run with --write (and --dry-run first to see its effect).',
    ].join(' '),
  oneStatement:
    'db query runs exactly one SQL statement (so it cannot leave its read-only transaction); split the statements, or use cvat-ops db shell.',
  sqlError: (detail: string, code: string | undefined, position: string | undefined, hint: string | undefined): string =>
    `SQL error${code ? ` ${code}` : ''}: ${detail}${position ? ` (at character ${position})` : ''}${hint ? `. Hint: ${hint}` : ''}`,
  writeAction: (c: ResolvedConnection): string => `run a writing SQL statement against ${t(c)} and COMMIT it`,
} as const;
