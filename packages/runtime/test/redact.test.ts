import { describe, expect, it } from 'vitest';
import { REDACTED, printable, redactSecrets, redactUrl, rememberSecret, rememberedSecrets, secretValuesFromEnv } from '../src';

describe('redactUrl', () => {
  it('replaces the password of URL credentials and keeps the user, host, path and harmless parameters', () => {
    expect(redactUrl('postgres://cvat:s3cr3t@db.example.com:5432/cvat?sslmode=require')).toBe(
      'postgres://cvat:***@db.example.com:5432/cvat?sslmode=require',
    );
    expect(redactUrl('http://user:p@ss:w0rd@127.0.0.1:8080/api')).toBe('http://user:***@127.0.0.1:8080/api');
    expect(redactUrl('http://user:@host/')).toBe('http://user:***@host/');
  });

  it('replaces a user name given alone (often a token) and leaves URLs without credentials unchanged', () => {
    expect(redactUrl('https://ghp_abcdef123456@github.com/org/repo.git')).toBe('https://***@github.com/org/repo.git');
    expect(redactUrl('https://management.azure.com/subscriptions/x?api-version=2025-07-01')).toBe(
      'https://management.azure.com/subscriptions/x?api-version=2025-07-01',
    );
    expect(redactUrl('mailto:ops@example.com')).toBe('mailto:ops@example.com');
  });

  it('replaces password=, token= and sig= query values, in any case, keeping the names', () => {
    expect(redactUrl('https://acct.file.core.windows.net/share?sv=2024-11-04&sig=AbC%2Fdef%3D&se=2030-01-01')).toBe(
      'https://acct.file.core.windows.net/share?sv=2024-11-04&sig=***&se=2030-01-01',
    );
    expect(redactUrl('https://h/x?Password=hunter22&user=bob&access_token=eyJ0&TOKEN=t0k3n')).toBe(
      'https://h/x?Password=***&user=bob&access_token=***&TOKEN=***',
    );
  });

  it('replaces secret parts of connection strings', () => {
    expect(redactUrl('DefaultEndpointsProtocol=https;AccountName=stcvat;AccountKey=a+b/c==;EndpointSuffix=core.windows.net')).toBe(
      'DefaultEndpointsProtocol=https;AccountName=stcvat;AccountKey=***;EndpointSuffix=core.windows.net',
    );
    expect(redactUrl('host=db user=cvat password=hunter22 sslmode=require')).toBe('host=db user=cvat password=*** sslmode=require');
  });

  it('does not touch words that only contain a secret name', () => {
    expect(redactUrl('monkey=banana tokenizer=x keyboard=us')).toBe('monkey=banana tokenizer=x keyboard=us');
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of a known secret value, and its URL-encoded form, anywhere in the text', () => {
    const secret = 'Zq!9 x/y';
    expect(redactSecrets(`login failed for ${secret}; retried with ${secret}; url ?p=${encodeURIComponent(secret)}`, [secret])).toBe(
      'login failed for ***; retried with ***; url ?p=***',
    );
  });

  it('prefers the longest value when secrets overlap, and ignores values shorter than 8 characters', () => {
    expect(redactSecrets('abcdefghij abcdefgh cvat-server', ['abcdefgh', 'abcdefghij', 'cvat'])).toBe('*** *** cvat-server');
  });

  it('treats secrets as text, not patterns', () => {
    expect(redactSecrets('a.b*c(d) aXbbc', ['a.b*c(d)'])).toBe('*** aXbbc');
  });

  it('applies the URL rules too', () => {
    expect(redactSecrets('connecting to https://u:pw@h/ failed', [])).toBe(`connecting to https://u:${REDACTED}@h/ failed`);
  });
});

describe('secretValuesFromEnv', () => {
  it('collects the values of secret-looking variables only', () => {
    const values = secretValuesFromEnv({
      PGPASSWORD: 'pg-pass-1',
      ARM_CLIENT_SECRET: 'client-secret-2',
      GITHUB_TOKEN: 'ghp_3333',
      AZURE_STORAGE_KEY: 'storage==4',
      PGUSER: 'cvat',
      ARM_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      SHORT_TOKEN: 'abc',
      PGPASSWORD_DEV: 'cvat',
      EMPTY_SECRET: '',
    });
    expect(values.sort()).toEqual(['client-secret-2', 'ghp_3333', 'pg-pass-1', 'storage==4']);
  });
});

describe('printable', () => {
  it('shows control characters as escapes so a message stays one line and no terminal sequence runs', () => {
    expect(printable('a\nb\r\tc\u001b[31mred\u0000')).toBe('a\\nb\\r\\tc\\x1b[31mred\\x00');
  });

  it('cuts long values with an ellipsis', () => {
    expect(printable('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(printable('short', 10)).toBe('short');
  });
});

describe('rememberSecret', () => {
  it('keeps secrets obtained at run time for later redaction, ignoring short values', () => {
    rememberSecret('kv-value-from-vault');
    rememberSecret('short');
    expect(rememberedSecrets()).toContain('kv-value-from-vault');
    expect(rememberedSecrets()).not.toContain('short');
    expect(redactSecrets('password kv-value-from-vault rejected', rememberedSecrets())).toBe('password *** rejected');
  });
});
