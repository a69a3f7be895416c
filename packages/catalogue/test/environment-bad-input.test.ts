// Hostile and mistaken environment files: every case names the field and what is wrong in one issue,
// never throws, never quotes a foreign file's content and leaves the file system as it was.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ENVIRONMENT_FILE_LIMITS, ENVIRONMENT_RULES, loadEnvironmentConfig, type Issue } from '../src/index';

const root = mkdtempSync(join(tmpdir(), 'catalogue-bad-input-'));
mkdirSync(join(root, 'environments'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A valid environment; rule cases change one field of it. */
const BASE = { name: 'dev', adminCidrs: ['203.0.113.0/24'], edge: { acmeEmail: 'ops@cvat-cloud.dev' } };
const withPatch = (patch: Record<string, unknown>) => stringify({ ...BASE, ...patch });
const withEdge = (edge: Record<string, unknown>) => withPatch({ edge: { ...BASE.edge, ...edge } });

/** The SSH wire format of an RSA public key (RFC 4253 §6.6) as an OpenSSH line. */
function rsaKeyLine(bits: number): string {
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });
  const mpint = (b64url: string) => {
    const raw = Buffer.from(b64url, 'base64url');
    return raw[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw;
  };
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (b.length >>> (24 - 8 * i)) & 0xff)), b]);
  const blob = Buffer.concat([field(Buffer.from('ssh-rsa')), field(mpint(jwk.e!)), field(mpint(jwk.n!))]);
  return `ssh-rsa ${blob.toString('base64')} ops@cvat-cloud.dev`;
}
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdJF9EY130NvcR8vNvpkAG+kz+x4ZE5scsNQ2rT8Do5 ops@cvat-cloud.dev';
const ECDSA =
  'ecdsa-sha2-nistp256 ' +
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg= ' +
  'ops@cvat-cloud.dev';

/** The alias bomb of issue 12: nine levels of nine aliases (9^9 strings once expanded). */
function aliasBomb(): string {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`);
  }
  return `name: dev\n${levels.join('\n')}\n`;
}
function deepBlockMapping(levels: number): string {
  return `name: dev\n${Array.from({ length: levels }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} 1\n`;
}

const fifoSupported = (() => {
  if (process.platform === 'win32') return false;
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface Case {
  name: string;
  /** Creates the input below `dir` and returns what to pass to the loader. */
  setup: (dir: string) => string;
  /** The issue's field (`path`) and words of its message; `undefined`: the file is accepted. */
  path?: string;
  says?: string | RegExp;
  rule?: string;
  /** Text the messages must not contain (a foreign file's content). */
  never?: string[];
  skip?: string;
}
const file =
  (text: string | Buffer, fileName = 'env.yaml') =>
  (dir: string) => {
    writeFileSync(join(dir, fileName), text);
    return join(dir, fileName);
  };

const CASES: Case[] = [
  // what the path points at
  { name: 'a missing file', setup: (dir) => join(dir, 'nope.yaml'), path: 'file', says: 'must exist' },
  {
    name: 'a directory',
    setup: (dir) => {
      mkdirSync(join(dir, 'd.yaml'));
      return join(dir, 'd.yaml');
    },
    path: 'file',
    says: 'must be a regular file, not a directory',
  },
  {
    name: 'a FIFO (refused without opening it, so nothing hangs)',
    setup: (dir) => {
      execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
      return join(dir, 'pipe.yaml');
    },
    path: 'file',
    says: 'must be a regular file, not a FIFO (named pipe)',
    skip: fifoSupported ? undefined : 'mkfifo is not available on this platform',
  },
  {
    name: 'a character device (/dev/null)',
    setup: () => '/dev/null',
    path: 'file',
    says: 'not a character device',
    skip: existsSync('/dev/null') && process.platform !== 'win32' ? undefined : 'no /dev/null here',
  },
  {
    name: 'a foreign system file (/etc/passwd), without quoting it',
    setup: () => '/etc/passwd',
    path: 'file',
    says: 'must be a mapping of fields',
    never: ['root', 'bin/', 'nologin'],
    skip: existsSync('/etc/passwd') ? undefined : 'no /etc/passwd here',
  },
  {
    name: 'a file over 1 MiB',
    setup: file(`name: dev\n# ${'x'.repeat(ENVIRONMENT_FILE_LIMITS.maxBytes)}\n`),
    path: 'file',
    says: `must be at most ${ENVIRONMENT_FILE_LIMITS.maxBytes} bytes`,
  },
  {
    name: 'binary data with NUL bytes',
    setup: file(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x00, 0x01, 0x02])),
    path: 'file',
    says: 'NUL bytes',
  },
  {
    name: 'bytes that are not UTF-8',
    setup: file(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xc3, 0x28, 0x0a])),
    path: 'file',
    says: 'must be UTF-8 text',
  },
  // the YAML document
  { name: 'an empty file', setup: file(''), path: 'file', says: 'must not be empty' },
  { name: 'a file of comments only', setup: file('# nothing here\n\n'), path: 'file', says: 'must not be empty' },
  {
    name: 'a top-level list',
    setup: file('- name: dev\n- name: prod\n'),
    path: 'file',
    says: 'must be a mapping of fields (e.g. `name: dev`), not a list',
    never: ['prod'],
  },
  {
    name: 'a top-level scalar',
    setup: file('just some words\n'),
    path: 'file',
    says: 'must be a mapping of fields (e.g. `name: dev`), not a single value',
    never: ['words'],
  },
  { name: 'a top-level number', setup: file('42\n'), path: 'file', says: 'not a single value' },
  { name: 'a UTF-8 byte-order mark before a valid file', setup: file(`\uFEFF${withPatch({})}`) },
  {
    name: 'a duplicate key',
    setup: file('name: dev\nname: prod\n'),
    path: 'line 2',
    rule: 'yaml',
    says: '(DUPLICATE_KEY) must be valid YAML at column 1: a mapping has the same key twice',
  },
  {
    name: 'the 9 × 9 alias bomb',
    setup: file(aliasBomb()),
    path: 'file',
    says: `must not expand YAML aliases more than ${ENVIRONMENT_FILE_LIMITS.maxAliasCount} times`,
  },
  {
    name: 'an alias of an anchor that does not exist',
    setup: file('name: *missing\n'),
    path: 'file',
    says: 'must define every anchor before its alias',
  },
  {
    name: 'flow lists nested 5000 deep',
    setup: file(`name: dev\nedge: ${'['.repeat(5000)}${']'.repeat(5000)}\n`),
    path: 'line 2',
    rule: 'yaml',
    says: 'RESOURCE_EXHAUSTION',
  },
  {
    name: 'mappings nested 40 deep',
    setup: file(deepBlockMapping(40)),
    path: 'file',
    says: `at most ${ENVIRONMENT_FILE_LIMITS.maxDepth} levels deep`,
  },
  { name: 'two YAML documents', setup: file('name: dev\n---\nname: prod\n'), path: 'line 2', rule: 'yaml', says: 'MULTIPLE_DOCS' },
  {
    name: 'a custom !tag',
    setup: file('name: !!python/object dev\n'),
    path: 'line 1',
    rule: 'yaml',
    says: 'TAG_RESOLVE_FAILED',
    never: ['python'],
  },
  {
    name: 'a tab used for indentation',
    setup: file('name: dev\nedge:\n\tmode: vm\n'),
    path: 'line 3',
    rule: 'yaml',
    says: 'must be valid YAML',
  },
  {
    name: 'an unclosed flow list',
    setup: file('name: dev\nadminCidrs: [203.0.113.0/24\n'),
    rule: 'yaml',
    path: 'line 3',
    says: 'must be valid YAML',
  },
  {
    name: "another program's YAML (a compose file), without naming its keys",
    setup: file('services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: hunter2\n'),
    path: 'file',
    says: 'must be an environment file: none of its 1 top-level keys is an environment field',
    never: ['services', 'hunter2', 'postgres'],
  },
  {
    name: 'a __proto__ key',
    setup: file(`${withPatch({})}__proto__: { polluted: true }\n`),
    path: '__proto__',
    says: 'is not a known field',
  },
  {
    name: 'a name that differs from the file name',
    setup: (dir) => {
      file(withPatch({ name: 'prod' }), 'environments/dev.yaml')(dir);
      return 'dev';
    },
    path: 'name',
    says: 'must equal the file name "dev"',
  },
  {
    name: 'an environment name with a shell metacharacter',
    setup: () => 'dev;touch pwned',
    path: 'name',
    says: 'must be an environment name',
  },
  // static rules: what Azure would refuse at apply
  {
    name: 'a misspelt region',
    setup: file(withPatch({ location: 'westeurop' })),
    path: 'location',
    rule: 'locationIsAzureRegion',
    says: 'did you mean "westeurope"?',
  },
  { name: 'a region opened after the regions page was read (denmarkeast)', setup: file(withPatch({ location: 'denmarkeast' })) },
  {
    name: 'a region that does not exist',
    setup: file(withPatch({ location: 'marsnorth' })),
    path: 'location',
    rule: 'locationIsAzureRegion',
    says: 'must be an Azure public-cloud region',
  },
  {
    name: '12 custom tags (16 with the standard ones)',
    setup: file(withPatch({ tags: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`t${i}`, 'x'])) })),
    path: 'tags',
    rule: 'tagsWithinAzureLimits',
    says: 'there are 16; azurerm v4.55.0 allows 15 on a Key Vault secret',
  },
  {
    name: 'a tag value of 257 bytes',
    setup: file(withPatch({ tags: { owner: `${'é'.repeat(128)}x` } })),
    path: 'tags.owner',
    rule: 'tagsWithinAzureLimits',
    says: 'at most 256 bytes',
  },
  {
    name: 'a tag name of 129 bytes',
    setup: file(withPatch({ tags: { ['n'.repeat(129)]: 'x' } })),
    path: `tags.${'n'.repeat(37)}...`,
    rule: 'tagsWithinAzureLimits',
    says: 'at most 128 bytes',
  },
  {
    name: 'a tag name with a slash',
    setup: file(withPatch({ tags: { 'team/owner': 'x' } })),
    path: 'tags.team/owner',
    rule: 'tagsWithinAzureLimits',
    says: 'without < > % & \\ ? /',
  },
  {
    name: 'no adminCidrs with the edge VM on',
    setup: file(withPatch({ adminCidrs: [] })),
    path: 'adminCidrs',
    rule: 'adminCidrsWithEdge',
    says: 'must name at least one operator network',
  },
  {
    name: 'a VM size without its tier',
    setup: file(withEdge({ vmSize: 'B2s' })),
    path: 'edge.vmSize',
    rule: 'edgeVmSizeName',
    says: 'must be an Azure VM size name',
  },
  {
    name: 'an Arm64 VM size for the x64 edge image',
    setup: file(withEdge({ vmSize: 'Standard_D2ps_v5' })),
    path: 'edge.vmSize',
    rule: 'edgeVmSizeName',
    says: 'must be an x64 size',
  },
  {
    name: 'an ECDSA SSH key',
    setup: file(withEdge({ sshPublicKey: ECDSA })),
    path: 'edge.sshPublicKey',
    rule: 'edgeSshKeyAccepted',
    says: 'must be of type ssh-rsa or ssh-ed25519',
  },
  {
    name: 'a 1024-bit RSA SSH key',
    setup: file(withEdge({ sshPublicKey: rsaKeyLine(1024) })),
    path: 'edge.sshPublicKey',
    rule: 'edgeSshKeyAccepted',
    says: 'at least 2048 bits (this one has 1024)',
  },
  { name: 'a 2048-bit RSA SSH key', setup: file(withEdge({ sshPublicKey: rsaKeyLine(2048) })) },
  {
    name: 'an Ed25519 key line with a cut blob',
    setup: file(withEdge({ sshPublicKey: `ssh-ed25519 ${ED25519.split(' ')[1]!.slice(0, 28)}` })),
    path: 'edge.sshPublicKey',
    rule: 'edgeSshKeyAccepted',
    says: 'truncated',
  },
  {
    name: "an ACME contact on example.com, which Let's Encrypt refuses",
    setup: file(withEdge({ mode: 'vm', acmeEmail: 'ops@example.com' })),
    path: 'edge.acmeEmail',
    rule: 'acmeEmailAccepted',
    says: "must not be on example.com: Let's Encrypt refuses it",
  },
  {
    name: 'an admin CIDR as wide as a /8',
    setup: file(withPatch({ adminCidrs: ['10.0.0.0/8'] })),
    path: 'adminCidrs[0]',
    rule: 'adminCidrsNarrow',
    says: 'must be /16 or narrower',
  },
  {
    name: 'Key Vault purge protection turned off outside the example',
    setup: file(withPatch({ keyVault: { purgeProtection: false } })),
    path: 'keyVault.purgeProtection',
    rule: 'keyVaultPurgeProtected',
    says: 'must be true outside the example',
  },
  {
    name: 'a PostgreSQL SKU azurerm does not know',
    setup: file(withPatch({ postgres: { skuName: 'GP_Standard_D3s_v3' } })),
    path: 'postgres.skuName',
    rule: 'postgresSkuAccepted',
    says: 'must be a Flexible Server SKU azurerm v4.55.0 accepts',
  },
  {
    name: 'high availability on a Burstable SKU',
    setup: file(withPatch({ postgres: { skuName: 'B_Standard_B2s', highAvailability: true } })),
    path: 'postgres.highAvailability',
    rule: 'postgresSkuAccepted',
    says: 'needs a GP_ or MO_ SKU',
  },
  {
    name: 'a PostgreSQL server name with an upper-case letter',
    setup: file(withPatch({ postgres: { serverName: 'cvat-dev-pg-6b698151-R202612031445' } })),
    path: 'postgres.serverName',
    says: 'must be a Flexible Server name: 3-63 lowercase letters, digits and hyphens',
  },
  {
    name: 'a PostgreSQL server name ending in a hyphen',
    setup: file(withPatch({ postgres: { serverName: 'cvat-dev-pg-' } })),
    path: 'postgres.serverName',
    says: 'starting and ending with a letter or digit',
  },
  {
    name: 'a PostgreSQL server name of 64 characters',
    setup: file(withPatch({ postgres: { serverName: 'a'.repeat(64) } })),
    path: 'postgres.serverName',
    says: '3-63 lowercase letters',
  },
  { name: 'a restored PostgreSQL server name', setup: file(withPatch({ postgres: { serverName: 'cvat-dev-pg-6b698151-r202612031445' } })) },
  {
    name: 'a state path climbing out of the repository',
    setup: file(withPatch({ stateBackend: { type: 'local', path: '../../../tmp/state' } })),
    path: 'stateBackend.path',
    rule: 'statePathInsideRepository',
    says: 'allowPathOutsideRepository',
  },
  {
    name: 'an absolute state path',
    setup: file(withPatch({ stateBackend: { type: 'local', path: '/var/lib/cvat-state' } })),
    path: 'stateBackend.path',
    rule: 'statePathInsideRepository',
    says: 'must be relative to packages/infra',
  },
  {
    name: 'a state path inside .git',
    setup: file(withPatch({ stateBackend: { type: 'local', path: '../../.git/state' } })),
    path: 'stateBackend.path',
    rule: 'statePathInsideRepository',
    says: 'outside .git',
  },
  {
    name: 'an absolute state path allowed explicitly',
    setup: file(withPatch({ stateBackend: { type: 'local', path: '/var/lib/cvat-state', allowPathOutsideRepository: true } })),
  },
  { name: 'the valid base file', setup: file(withPatch({})) },
];

/** Every entry below `dir` with its size and modification time: the loader must change none of it. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      const s = lstatSync(p);
      out.push(`${p} ${s.isDirectory() ? 'dir' : s.size} ${s.mtimeMs}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

let counter = 0;
function caseDir(): string {
  const dir = join(root, `case-${counter++}`);
  mkdirSync(join(dir, 'environments'), { recursive: true });
  return dir;
}

describe('environment files: bad input', () => {
  it('has at least 30 cases and one for every new static rule', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    const covered = new Set(CASES.map((c) => c.rule));
    const staticRules = ENVIRONMENT_RULES.map((r) => r.name).slice(ENVIRONMENT_RULES.findIndex((r) => r.name === 'locationIsAzureRegion'));
    expect(staticRules.filter((r) => !covered.has(r))).toEqual([]);
  });

  for (const c of CASES) {
    it.skipIf(c.skip !== undefined)(`${c.path ? 'refuses' : 'accepts'} ${c.name}${c.skip ? ` (skipped: ${c.skip})` : ''}`, () => {
      const dir = caseDir();
      const input = c.setup(dir);
      const before = snapshot(root);
      const r = loadEnvironmentConfig(input, { cwd: dir });
      expect(snapshot(root)).toEqual(before);
      if (c.path === undefined) {
        expect(r.errors, JSON.stringify(r.errors, null, 1)).toBeUndefined();
        expect(r.value?.name).toBe('dev');
        return;
      }
      expect(r.value).toBeUndefined();
      const issue: Issue | undefined = r.errors?.find((e) => e.path === c.path);
      expect(issue, JSON.stringify(r.errors, null, 1)).toBeDefined();
      expect(issue!.message.startsWith(`'${c.path}' (`)).toBe(true);
      if (typeof c.says === 'string') expect(issue!.message).toContain(c.says);
      else if (c.says) expect(issue!.message).toMatch(c.says);
      if (c.rule) expect(issue!.rule).toBe(c.rule);
      expect(issue!.message).not.toContain('\n');
      for (const word of c.never ?? []) expect(r.errors!.map((e) => e.message).join(' ')).not.toContain(word);
    });
  }

  it('does not let a __proto__ key reach Object.prototype', () => {
    const dir = caseDir();
    loadEnvironmentConfig(file('__proto__: { polluted: true }\nname: dev\n')(dir), { cwd: dir });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('environment files: loading never throws', () => {
  it.each(CASES.filter((c) => !c.skip).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const dir = caseDir();
    const input = c.setup(dir);
    expect(() => loadEnvironmentConfig(input, { cwd: dir })).not.toThrow();
  });

  it('returns issues, never an exception, for 300 seeded random byte and YAML-fragment files', () => {
    let seed = 12;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const fragments = [
      'name: dev\n',
      '- ',
      ': ',
      '&a ',
      '*a ',
      '[',
      ']',
      '{',
      '}',
      '!!',
      '"',
      "'",
      '\t',
      '\n',
      '  ',
      '#',
      '---\n',
      '? ',
      '|',
      '>',
      '%YAML 1.2\n',
      '\uFEFF',
      'é',
      '\u0000',
    ];
    const dir = caseDir();
    for (let i = 0; i < 300; i++) {
      const text =
        i % 2 === 0
          ? Array.from({ length: next() % 40 }, () => fragments[next() % fragments.length]).join('')
          : Buffer.from(Array.from({ length: next() % 200 }, () => next() % 256));
      const path = file(text, `r${i}.yaml`)(dir);
      let result: ReturnType<typeof loadEnvironmentConfig> | undefined;
      expect(() => (result = loadEnvironmentConfig(path, { cwd: dir }))).not.toThrow();
      expect(result!.errors === undefined || result!.errors.length > 0).toBe(true);
    }
  });
});
