import { describe, expect, it } from 'vitest';
import { Redactor, redactUrlCredentials, secretsIn, urlPassword } from '../src/redact';

describe('redaction', () => {
  it.each([
    ['https://admin:s3cret@cvat.example.org/api', 'https://admin:***@cvat.example.org/api'],
    ['target http://u:p%40ss@127.0.0.1:8080 (from --url)', 'target http://u:***@127.0.0.1:8080 (from --url)'],
    ['"https://admin:Pa55/w0rd:x@"', '"https://admin:***@"'],
    ['http://u:p@ss@host/x', 'http://u:***@host/x'],
    ['https://cvat.example.org:443/api/server/about', 'https://cvat.example.org:443/api/server/about'],
    ['https://user@cvat.example.org/', 'https://user@cvat.example.org/'],
  ])('masks the password in %s', (text, masked) => {
    expect(redactUrlCredentials(text)).toBe(masked);
  });

  it('finds passwords in --password, --password=, URL arguments, CVAT_PASSWORD and CVAT_URL', () => {
    expect(
      secretsIn(['--password', 'one-1', '--password=two-2', '--url', 'https://a:three%2D3@h', '--webhook-target=http://b:four-4@h'], {
        CVAT_PASSWORD: 'five-5',
        CVAT_URL: 'https://c:six-6@h',
      }),
    ).toEqual(['one-1', 'two-2', 'three-3', 'four-4', 'five-5', 'six-6']);
    expect(urlPassword('https://cvat.example.org')).toBeUndefined();
  });

  it('masks a known secret also as JSON, XML and URL escape it, but not a secret too short to mask', () => {
    const r = new Redactor().add('a"b<c&d e', 'ab');
    expect(r.redact('raw a"b<c&d e json a\\"b<c&d e xml a&quot;b&lt;c&amp;d e url a%22b%3Cc%26d%20e ab')).toBe(
      'raw *** json *** xml *** url *** ab',
    );
    const seen: string[] = [];
    r.wrap({ write: (t: string) => seen.push(t) }).write('password a"b<c&d e\n');
    expect(seen).toEqual(['password ***\n']);
  });
});
