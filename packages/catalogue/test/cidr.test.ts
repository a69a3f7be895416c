import { describe, expect, it } from 'vitest';
import { blockHasAddress, cidrContains, formatIpv4, isPrivateIpv4, parseCidr, parseIpv4, prefixMask } from '../src/rules/cidr';

/** How Azure storage and Key Vault IP rules are read: host bits cleared, a bare address is a /32. */
const IP_RULE = { allowHostBits: true, allowBareAddress: true } as const;

describe('IPv4 and CIDR arithmetic', () => {
  it.each([
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['10.0.0.1', 0x0a000001],
    ['192.168.1.200', 0xc0a801c8],
    ['200.1.2.3', 0xc8010203], // high bit set: must stay positive
  ])('parses %s as %i', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it.each(['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', '1.2.3.4/', 'a.b.c.d', '', '1..2.3', '1.2.3.4 x'])(
    'rejects %j as an address',
    (text) => {
      expect(parseIpv4(text)).toBeUndefined();
    },
  );

  it('computes masks for /0, /1, /24, /31 and /32 without sign or shift-by-32 errors', () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(1)).toBe(0x80000000);
    expect(prefixMask(24)).toBe(0xffffff00);
    expect(prefixMask(31)).toBe(0xfffffffe);
    expect(prefixMask(32)).toBe(0xffffffff);
    expect(() => prefixMask(33)).toThrow('prefix length (33) must be an integer between 0 and 32');
  });

  it.each([
    ['0.0.0.0/0', '255.255.255.255', true],
    ['0.0.0.0/0', '0.0.0.0', true],
    ['10.0.0.0/8', '10.255.255.255', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['10.0.0.0/8', '9.255.255.255', false],
    ['192.168.1.128/25', '192.168.1.128', true],
    ['192.168.1.128/25', '192.168.1.255', true],
    ['192.168.1.128/25', '192.168.1.127', false],
    ['203.0.113.7', '203.0.113.7', true],
    ['203.0.113.7', '203.0.113.8', false],
    ['203.0.113.7/32', '203.0.113.7', true],
    ['200.0.0.0/8', '200.200.200.200', true],
    ['128.0.0.0/1', '255.0.0.1', true],
    ['128.0.0.0/1', '127.255.255.255', false],
    ['198.51.100.0/31', '198.51.100.1', true],
  ])('%s contains %s: %s', (range, ip, expected) => {
    expect(blockHasAddress(parseCidr(range, IP_RULE)!, ip)).toBe(expected);
  });

  it('clears host bits like Azure does and computes the last address', () => {
    expect(parseCidr('10.0.0.5/24', IP_RULE)).toEqual({ start: 0x0a000000, prefixLength: 24, end: 0x0a0000ff });
    expect(parseCidr('10.0.0.5/24')).toBeUndefined();
    expect(parseCidr('203.0.113.7')).toBeUndefined();
    expect(parseCidr('0.0.0.0/0')!.end).toBe(0xffffffff);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.0/', '10.0.0/8', '10.0.0.0/08x'])('rejects %j as a range', (text) => {
    expect(parseCidr(text, IP_RULE)).toBeUndefined();
  });

  it('tells whether one range covers another', () => {
    expect(cidrContains(parseCidr('10.28.0.0/16')!, parseCidr('10.28.0.0/23')!)).toBe(true);
    expect(cidrContains(parseCidr('10.28.0.0/23')!, parseCidr('10.28.0.0/16')!)).toBe(false);
  });

  it('recognises RFC 1918 addresses and nothing else', () => {
    expect(['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1'].map(isPrivateIpv4)).toEqual([true, true, true, true]);
    expect(['172.32.0.1', '11.0.0.1', '192.169.0.1', '8.8.8.8'].map(isPrivateIpv4)).toEqual([false, false, false, false]);
  });
});
