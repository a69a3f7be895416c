import { describe, expect, it } from 'vitest';
import { armTarget } from '../../src/preflight/arm';
import { ipv4InCidr, isPrivateIpv4 } from '../../src/preflight/ip';
import { FakeCredential } from './support/fake-preflight-arm-server';

describe('ipv4InCidr', () => {
  it('matches addresses inside the block, at its edges, and bare addresses as /32', () => {
    expect(ipv4InCidr('203.0.113.0', '203.0.113.0/24')).toBe(true);
    expect(ipv4InCidr('203.0.113.255', '203.0.113.0/24')).toBe(true);
    expect(ipv4InCidr('203.0.114.0', '203.0.113.0/24')).toBe(false);
    expect(ipv4InCidr('198.51.100.7', '198.51.100.7')).toBe(true);
    expect(ipv4InCidr('198.51.100.8', '198.51.100.7/32')).toBe(false);
    expect(ipv4InCidr('10.1.2.3', '0.0.0.0/0')).toBe(true);
    expect(ipv4InCidr('172.31.255.255', '172.16.0.0/12')).toBe(true);
    expect(ipv4InCidr('172.32.0.0', '172.16.0.0/12')).toBe(false);
  });

  it('never matches IPv6 or malformed input', () => {
    expect(ipv4InCidr('2001:db8::1', '203.0.113.0/24')).toBe(false);
    expect(ipv4InCidr('203.0.113.9', '203.0.113.0/33')).toBe(false);
    expect(ipv4InCidr('203.0.113.9', 'not-a-cidr')).toBe(false);
  });

  it('recognises private, loopback and CGNAT addresses', () => {
    expect(['10.0.0.1', '192.168.0.5', '172.20.1.1', '127.0.0.1', '100.64.3.4'].every(isPrivateIpv4)).toBe(true);
    expect(isPrivateIpv4('203.0.113.9')).toBe(false);
  });
});

describe('armTarget', () => {
  it('accepts https and loopback http only', () => {
    const cred = new FakeCredential();
    expect(armTarget(cred).insecureLoopback).toBe(false);
    expect(armTarget(cred, 'http://127.0.0.1:8080/').endpoint).toBe('http://127.0.0.1:8080');
    expect(armTarget(cred, 'http://127.0.0.1:8080').insecureLoopback).toBe(true);
    expect(() => armTarget(cred, 'http://management.example.com')).toThrow("ARM endpoint 'http://management.example.com' must use https");
  });
});
