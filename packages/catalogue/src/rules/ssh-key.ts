import { AZURERM_SSH_KEY } from '../data/azure-limits';

/** What {@link checkSshPublicKey} found wrong, as the end of an issue sentence; `undefined` when the key is accepted. */
export type SshKeyProblem = string | undefined;

/**
 * Checks an OpenSSH public key line (`<type> <base64> [comment]`) the way the pinned provider does
 * before it accepts `admin_ssh_key.public_key`: the base64 blob must decode to an SSH wire-format key
 * (RFC 4253 §6.6: string type, then mpint e and mpint n for RSA; string key for Ed25519) of type
 * `ssh-rsa` with a modulus of at least 2048 bits, or `ssh-ed25519`. Never throws.
 *
 * @see hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/compute/validate/ssh_key.go
 * @see https://www.rfc-editor.org/rfc/rfc4253#section-6.6
 */
export function checkSshPublicKey(line: string): SshKeyProblem {
  const allowed = `${AZURERM_SSH_KEY.types.join(' or ')} (RSA of at least ${AZURERM_SSH_KEY.rsaMinBits} bits)`;
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) return `must be a complete OpenSSH public key line "<type> <base64> [comment]" of type ${allowed}`;
  const [type, blob] = parts as [string, string];
  if (!(AZURERM_SSH_KEY.types as readonly string[]).includes(type)) {
    return `must be of type ${allowed}: azurerm v4.55.0 refuses "${type.slice(0, 40)}" keys for the edge VM`;
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blob.length % 4 !== 0) return 'must carry a base64 key after the type';
  const bytes = Buffer.from(blob, 'base64');
  const fields: Buffer[] = [];
  let at = 0;
  while (at < bytes.length && fields.length < 4) {
    if (at + 4 > bytes.length) return 'must carry a well-formed SSH key (the base64 data is truncated)';
    const length = bytes.readUInt32BE(at);
    if (at + 4 + length > bytes.length) return 'must carry a well-formed SSH key (the base64 data is truncated)';
    fields.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  const inner = fields[0]?.toString('latin1');
  if (inner !== type) return `must carry a key of the type it names (${type}), not ${JSON.stringify((inner ?? '').slice(0, 40))}`;
  if (type === 'ssh-ed25519') return fields[1]?.length === 32 ? undefined : 'must carry a 32-byte Ed25519 key';
  const modulus = fields[2];
  if (!modulus || fields.length !== 3) return 'must carry an RSA key (exponent and modulus)';
  let significant = modulus.length;
  for (const byte of modulus) {
    if (byte !== 0) break;
    significant -= 1;
  }
  const bits = significant * 8;
  if (bits < AZURERM_SSH_KEY.rsaMinBits) return `must be an RSA key of at least ${AZURERM_SSH_KEY.rsaMinBits} bits (this one has ${bits})`;
  return undefined;
}
