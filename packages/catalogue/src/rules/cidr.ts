/** An IPv4 CIDR block as numbers. @internal */
export interface Ipv4Block {
  /** First address as an unsigned 32-bit number. */
  start: number;
  /** Last address. */
  end: number;
  /** Prefix length (0-32). */
  prefixLength: number;
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses an IPv4 CIDR such as `10.28.0.0/16`; `undefined` when malformed or when host bits are
 * set (`10.28.0.1/16`), which Azure rejects for address spaces and subnets.
 *
 * @internal
 */
export function parseCidr(cidr: string, options: { allowHostBits?: boolean } = {}): Ipv4Block | undefined {
  const m = CIDR_RE.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefixLength = Number(m[5]);
  if (octets.some((o) => o > 255) || prefixLength > 32) return undefined;
  const address = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
  const size = 2 ** (32 - prefixLength);
  const start = Math.floor(address / size) * size;
  if (start !== address && !options.allowHostBits) return undefined;
  return { start, end: start + size - 1, prefixLength };
}

/** Whether `inner` lies completely inside `outer`. @internal */
export function cidrContains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

/** Whether two blocks share any address. @internal */
export function cidrOverlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.start <= b.end && b.start <= a.end;
}
