/**
 * IPv4 address and CIDR arithmetic, the one copy every package uses (environment rules here, infra's network,
 * storage, Key Vault and edge constructs, cvat-ops storage rules). Everything is done on unsigned 32-bit integers
 * (`>>> 0`): JavaScript bit operators are signed and `x << 32` is `x`, the classic source of /0 and /32 bugs.
 */

/** An IPv4 CIDR block as unsigned 32-bit numbers. */
export interface Ipv4Block {
  /** First address (host bits cleared). */
  readonly start: number;
  /** Last address. */
  readonly end: number;
  /** Prefix length (0-32). */
  readonly prefixLength: number;
}

/** Options of {@link parseCidr}. */
export interface ParseCidrOptions {
  /**
   * Accept host bits (`10.0.0.5/24`) and clear them, as Azure does when it stores a storage or Key Vault IP rule.
   * Refused by default: Azure rejects them in address spaces and subnets. @default false
   */
  readonly allowHostBits?: boolean;
  /** Accept a bare address (`203.0.113.7`) as a /32, as Azure IP rules do. @default false */
  readonly allowBareAddress?: boolean;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const PREFIX = /^(3[0-2]|[12]\d|\d)$/;

/**
 * Parses dotted-quad IPv4 (`10.0.0.1`) into an unsigned 32-bit integer; `undefined` when it is not one. Leading
 * zeros (`010`) are refused: some tools read them as octal.
 */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);
}

/** Formats an unsigned 32-bit integer as a dotted quad. */
export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** The netmask of a prefix length (0-32) as an unsigned integer; /0 is 0, /32 is 0xffffffff. */
export function prefixMask(prefixLength: number): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new RangeError(`prefix length (${prefixLength}) must be an integer between 0 and 32`);
  }
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Parses `A.B.C.D/N` (and, with `allowBareAddress`, `A.B.C.D` as a /32); `undefined` when malformed or refused. */
export function parseCidr(text: string, options: ParseCidrOptions = {}): Ipv4Block | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return undefined;
  const ip = parseIpv4(address);
  if (ip === undefined) return undefined;
  if (prefixText === undefined && !options.allowBareAddress) return undefined;
  if (prefixText !== undefined && !PREFIX.test(prefixText)) return undefined;
  const prefixLength = prefixText === undefined ? 32 : Number(prefixText);
  const mask = prefixMask(prefixLength);
  const start = (ip & mask) >>> 0;
  if (start !== ip && !options.allowHostBits) return undefined;
  return { start, end: (start | (~mask >>> 0)) >>> 0, prefixLength };
}

/** Whether `inner` lies completely inside `outer`. */
export function cidrContains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

/** Whether two blocks share any address. */
export function cidrOverlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Whether the address `ip` (an unsigned integer or a dotted quad) lies inside `block`. */
export function blockHasAddress(block: Ipv4Block, ip: number | string): boolean {
  const value = typeof ip === 'string' ? parseIpv4(ip) : ip;
  return value !== undefined && value >= block.start && value <= block.end;
}

/** The RFC 1918 private blocks (10/8, 172.16/12, 192.168/16). */
export const PRIVATE_IPV4_BLOCKS: readonly Ipv4Block[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(
  (c) => parseCidr(c) as Ipv4Block,
);

/** Whether a block touches RFC 1918 private space. */
export function isPrivateBlock(block: Ipv4Block): boolean {
  return PRIVATE_IPV4_BLOCKS.some((p) => cidrOverlaps(p, block));
}

/** Whether an address is an RFC 1918 private address. */
export function isPrivateIpv4(ip: number | string): boolean {
  return PRIVATE_IPV4_BLOCKS.some((p) => blockHasAddress(p, ip));
}

/** Whether a network-rule source means "anywhere" (`*`, `0.0.0.0/0`, `Internet`, `Any`, `::/0`). */
export function isAnywhere(source: string): boolean {
  return ['*', '0.0.0.0/0', '0.0.0.0', 'internet', 'any', '::/0'].includes(source.trim().toLowerCase());
}
