/** @internal IPv4 CIDR helpers for eager validation of network props. */

/** @internal A parsed IPv4 CIDR block. */
export interface Ipv4Block {
  readonly first: number;
  readonly last: number;
  readonly prefix: number;
}

/** @internal Parses `a.b.c.d/n` (or a bare address as /32); undefined when malformed. */
export function parseCidr(cidr: string): Ipv4Block | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (prefix > 32) return undefined;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const size = 2 ** (32 - prefix);
  const first = address - (address % size);
  return { first, last: first + size - 1, prefix };
}

/** @internal Whether `inner` lies completely inside `outer`. */
export function contains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

/** @internal Whether two blocks share an address. */
export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** @internal Whether a block is in RFC 1918 private space (10/8, 172.16/12, 192.168/16). */
export function isPrivate(block: Ipv4Block): boolean {
  return ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].some((c) => overlaps(parseCidr(c) as Ipv4Block, block));
}

/** @internal Whether a source prefix means "anywhere". */
export function isAnywhere(source: string): boolean {
  return ['*', '0.0.0.0/0', '0.0.0.0', 'internet', 'any', '::/0'].includes(source.trim().toLowerCase());
}
