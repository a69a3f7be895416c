// The ported validators against the provider's own test tables (upstream-validator-cases.ts), plus
// SSH keys made here with node:crypto (the RSA size limit is the part upstream's table cannot show
// with a fresh key).
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import * as names from '../../src/validate/rules/names';
import { UPSTREAM_VALIDATOR_CASES } from './upstream-validator-cases';

type Validator = (v: string) => string | undefined;

describe('ported validators agree with the provider’s own tests', () => {
  for (const group of UPSTREAM_VALIDATOR_CASES) {
    it(`${group.validator} (${group.file} ${group.test}, ${group.cases.length} cases)`, () => {
      const validate = (names as unknown as Record<string, Validator>)[group.validator];
      expect(typeof validate).toBe('function');
      expect(group.cases.length).toBeGreaterThan(1);
      for (const [input, valid] of group.cases) expect([input, validate(input) === undefined]).toEqual([input, valid]);
    });
  }
});

/** An OpenSSH public key line for a node:crypto key (SSH wire format: string type, then the key fields). */
function openSsh(type: 'ssh-ed25519' | 'ssh-rsa', fields: Buffer[]): string {
  const s = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  return `${type} ${Buffer.concat([s(Buffer.from(type)), ...fields.map(s)]).toString('base64')} test@cvat-cloud.dev`;
}
const rsa = (bits: number) => {
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });
  const mpint = (b64: string) => {
    const raw = Buffer.from(b64, 'base64url');
    return raw[0] & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw;
  };
  return openSsh('ssh-rsa', [mpint(jwk.e as string), mpint(jwk.n as string)]);
};

describe('sshKey (internal/services/compute/validate/ssh_key.go SSHKey)', () => {
  it('accepts ed25519 and RSA >= 2048 bits, refuses RSA 1024 and a truncated key', () => {
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const edLine = openSsh('ssh-ed25519', [Buffer.from(ed.x as string, 'base64url')]);
    expect(names.sshKey(edLine)).toBeUndefined();
    expect(names.sshKey(rsa(2048))).toBeUndefined();
    expect(names.sshKey(rsa(1024))).toMatch(/1024 bits/);
    const [type, data] = edLine.split(' ');
    expect(names.sshKey(`${type} ${Buffer.from(data, 'base64').subarray(0, 30).toString('base64')}`)).toMatch(/not a valid ssh-ed25519/);
  });
});
