/**
 * This machine's public egress address, asked of an echo service that answers the caller's address as plain text
 * (cvat-ops `storage rules --my-ip`, deploy/preflight `--detect-ip`). Sends one request to a third party, so only on
 * an explicit flag. Uses the global `fetch` (no HTTP client dependency).
 *
 * @see https://www.ipify.org/
 */
import { isIPv4, isIPv6 } from 'node:net';
import { CliError, describeError } from './errors';
import { EXIT } from './exit';

/** The public echo service. */
export const EGRESS_IP_URL = 'https://api.ipify.org';

/** Options of {@link lookupEgressIp}. */
export interface EgressIpOptions {
  /** @default EGRESS_IP_URL */
  readonly url?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
  /** Accept only IPv4 (storage and Key Vault IP rules take IPv4 only). @default true */
  readonly ipv4Only?: boolean;
  /** How to do without the lookup, ending the message, e.g. `pass it with --ip`. */
  readonly alternative?: string;
}

/** The egress address; {@link CliError} UNAVAILABLE naming the URL, what came back and the alternative otherwise. */
export async function lookupEgressIp(options: EgressIpOptions = {}): Promise<string> {
  const url = options.url ?? EGRESS_IP_URL;
  const ipv4Only = options.ipv4Only ?? true;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 5000), headers: { accept: 'text/plain' } });
    const text = (await response.text()).trim();
    if (!response.ok) throw new Error(`HTTP ${response.status}: '${text.slice(0, 60)}'`);
    if (!isIPv4(text) && (ipv4Only || !isIPv6(text))) {
      throw new Error(`'${text.slice(0, 60)}' is not an ${ipv4Only ? 'IPv4 ' : 'IP '}address`);
    }
    return text;
  } catch (error) {
    const alternative = options.alternative ? ` ${options.alternative[0]!.toUpperCase()}${options.alternative.slice(1)} instead.` : '';
    throw new CliError(EXIT.UNAVAILABLE, `Could not look up this machine's egress IP at ${url}: ${describeError(error)}.${alternative}`, {
      cause: error,
    });
  }
}
