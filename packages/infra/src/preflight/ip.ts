import { isIPv4 } from 'node:net';

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/**
 * True when the IPv4 `address` lies inside `cidr` (`a.b.c.d/n`, or a bare address meaning /32).
 * IPv6 addresses and malformed CIDRs never match: the storage and Key Vault IP rules only take IPv4.
 *
 * @see https://learn.microsoft.com/azure/storage/common/storage-network-security#grant-access-from-an-internet-ip-range
 */
export function ipv4InCidr(address: string, cidr: string): boolean {
  if (!isIPv4(address)) return false;
  const [base, bitsText] = cidr.trim().split('/');
  if (!isIPv4(base)) return false;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ipv4ToNumber(address) & mask) >>> 0 === (ipv4ToNumber(base) & mask) >>> 0;
}

/** True for RFC 1918, loopback, link-local and CGNAT addresses, which an Azure IP rule never sees as a source. */
export function isPrivateIpv4(address: string): boolean {
  return ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16', '100.64.0.0/10'].some((c) =>
    ipv4InCidr(address, c),
  );
}

/**
 * The public echo service `--detect-ip` asks for this machine's egress address: it answers the caller's
 * address as plain text.
 *
 * @see https://www.ipify.org/
 */
export const DEFAULT_IP_ECHO_URL = 'https://api.ipify.org';

/**
 * Asks an echo service for this machine's egress address (only with `--detect-ip`: it sends a request to a
 * third party). The answer must be an IP address.
 *
 * @throws Error naming the URL and what came back
 */
export async function detectEgressIp(url: string, timeoutMs: number): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/plain' } });
  const text = (await response.text()).trim();
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  if (!isIPv4(text) && !/^[0-9a-f:]+$/i.test(text)) throw new Error(`${url} answered '${text.slice(0, 60)}', not an IP address`);
  return text;
}
