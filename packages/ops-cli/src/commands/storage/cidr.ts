/**
 * IPv4 address and CIDR range arithmetic for storage network rules. Storage `ipRules` hold IPv4 addresses or CIDR
 * ranges (`203.0.113.0/24`); everything is done on unsigned 32-bit integers (`>>> 0`), because JavaScript bit
 * operators are signed and `x << 32` is `x`, which is the classic source of /0 and /32 bugs.
 */

/** A parsed IPv4 range: `network` is the first address (host bits cleared), both as unsigned 32-bit integers. */
export interface Ipv4Range {
  /** The text it was parsed from. */
  text: string;
  network: number;
  prefix: number;
  /** Last address in the range. */
  broadcast: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;

/**
 * Parses dotted-quad IPv4 (`10.0.0.1`) into an unsigned 32-bit integer; `undefined` when it is not one. Leading zeros (`010`) are
 * rejected: some tools read them as octal.
 */
export function parseIpv4(text: string): number | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);
}

/** Formats an unsigned 32-bit integer as dotted quad. */
export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** The netmask of a prefix length (0..32) as an unsigned integer; /0 is 0, /32 is 0xffffffff. */
export function prefixMask(prefix: number): number {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32)
    throw new RangeError(`prefix (${prefix}) must be an integer between 0 and 32`);
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Parses `A.B.C.D` (a /32) or `A.B.C.D/N`; `undefined` when malformed. Host bits set in the address
 * (`10.0.0.5/24`) are cleared, as Azure does when it stores the rule.
 */
export function parseCidr(text: string): Ipv4Range | undefined {
  const trimmed = text.trim();
  const [addr, prefixText, extra] = trimmed.split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const ip = parseIpv4(addr);
  if (ip === undefined) return undefined;
  let prefix = 32;
  if (prefixText !== undefined) {
    if (!/^(3[0-2]|[12]\d|\d)$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
  }
  const mask = prefixMask(prefix);
  const network = (ip & mask) >>> 0;
  return { text: trimmed, network, prefix, broadcast: (network | (~mask >>> 0)) >>> 0 };
}

/** True when `ip` (an unsigned integer or dotted quad) lies inside `range`. */
export function cidrContains(range: Ipv4Range, ip: number | string): boolean {
  const value = typeof ip === 'string' ? parseIpv4(ip) : ip;
  if (value === undefined) return false;
  return (value & prefixMask(range.prefix)) >>> 0 === range.network;
}

/** True when `inner` lies entirely inside `outer` (e.g. a subnet prefix inside an allowed range). */
export function cidrCovers(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.network);
}

/** RFC 1918 private ranges (Azure Storage IP rules do not accept them: private traffic must use VNet rules). */
export const PRIVATE_RANGES: readonly Ipv4Range[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((r) => parseCidr(r)!);

/** True for RFC 1918 addresses. */
export function isPrivateIpv4(ip: string | number): boolean {
  return PRIVATE_RANGES.some((r) => cidrContains(r, ip));
}
