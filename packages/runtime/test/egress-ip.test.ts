import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf, startLoopbackServer, type LoopbackServer } from '@cvat-cloud/testing';
import { CliError, EXIT, lookupEgressIp } from '../src';

describe('lookupEgressIp (loopback echo service)', () => {
  let server: LoopbackServer | undefined;
  afterEach(() => server?.close());
  const echo = async (status: number, body: string) => {
    server = await startLoopbackServer(() => ({ status, body, headers: { 'content-type': 'text/plain' } }));
    return server.url;
  };

  it('returns the address the service answers', async () => {
    expect(await lookupEgressIp({ url: await echo(200, '203.0.113.7\n') })).toBe('203.0.113.7');
  });

  it('refuses IPv6 unless allowed, and anything that is not an address (UNAVAILABLE, with the alternative)', async () => {
    const url = await echo(200, '2001:db8::1');
    const e = await rejectionOf(lookupEgressIp({ url, alternative: 'pass it with --ip' }), CliError);
    expect(e.exit).toBe(EXIT.UNAVAILABLE);
    expect(e.message).toBe(
      `Could not look up this machine's egress IP at ${url}: '2001:db8::1' is not an IPv4 address. Pass it with --ip instead.`,
    );
    expect(await lookupEgressIp({ url, ipv4Only: false })).toBe('2001:db8::1');
  });

  it('reports an HTTP error with its status', async () => {
    const e = await rejectionOf(lookupEgressIp({ url: await echo(503, 'busy') }), CliError);
    expect(e.message).toMatch(/: HTTP 503: 'busy'\.$/);
  });
});
