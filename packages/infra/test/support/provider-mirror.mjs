// A loopback stand-in for a Terraform provider network mirror (test double; used by the deploy tests and by
// tools/bench/deploy.mjs to count provider downloads). It speaks the provider network mirror protocol
// (https://developer.hashicorp.com/terraform/internals/provider-network-mirror-protocol): `<host>/<ns>/<type>/index.json`
// lists versions, `<host>/<ns>/<type>/<version>.json` lists one archive per platform with its `zh:` hash (sha256 of
// the zip), and the archive URL serves the zip. Terraform requires https for a network mirror, so it serves TLS with
// a throw-away self-signed certificate made by `openssl` (terraform trusts it through SSL_CERT_FILE). The packages
// are stand-ins: a zip holding a small executable named like the provider, enough for `terraform init` to install,
// verify and cache it (init never starts a provider).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';

/** Why the mirror cannot run here (no openssl), or undefined. */
export const MIRROR_SKIP_REASON =
  spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0
    ? undefined
    : 'openssl is not on PATH: the stand-in provider mirror needs it for its self-signed TLS certificate';

/** A zip file (stored, no compression) holding one executable file. */
function zipOne(name, content) {
  const data = Buffer.from(content);
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const b of data) crc = crcTable[(crc ^ b) & 0xff] ^ (crc >>> 8);
  crc = (crc ^ 0xffffffff) >>> 0;
  const fileName = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below is read
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE((0o100755 << 16) >>> 0, 38);
  const centralOffset = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/**
 * Starts the mirror on 127.0.0.1 (a free port).
 *
 * @param dir scratch directory for the certificate
 * @param providers e.g. `[{ namespace: 'hashicorp', type: 'azurerm', version: '4.55.0' }]`
 * @param options.platforms the platforms served (`os_arch`), each with its own archive @default - this machine's
 * @returns `url`, `certFile`, `downloads()` (archive GETs per `ns/type`), `cliConfig(path)` writing a CLI config that
 *   installs every provider from this mirror, and `close()`
 */
export async function startProviderMirror(dir, providers, options = {}) {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, 'mirror-key.pem');
  const certFile = join(dir, 'mirror-cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const platform = `${process.platform === 'win32' ? 'windows' : process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
  const platforms = options.platforms ?? [platform];
  const packages = new Map();
  for (const p of providers) {
    const archives = new Map();
    for (const os of platforms) {
      const zip = zipOne(
        `terraform-provider-${p.type}_v${p.version}`,
        `#!/bin/sh\necho 'stand-in for ${p.namespace}/${p.type} on ${os}'\nexit 1\n`,
      );
      archives.set(os, {
        zip,
        file: `terraform-provider-${p.type}_${p.version}_${os}.zip`,
        hash: createHash('sha256').update(zip).digest('hex'),
      });
    }
    packages.set(`${p.namespace}/${p.type}`, { ...p, archives });
  }
  const downloads = new Map();
  const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    const m = /^\/registry\.terraform\.io\/([^/]+)\/([^/]+)\/(.+)$/.exec(req.url ?? '');
    const pkg = m && packages.get(`${m[1]}/${m[2]}`);
    if (!pkg) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const rest = m[3];
    res.setHeader('Content-Type', 'application/json');
    if (rest === 'index.json') return res.end(JSON.stringify({ versions: { [pkg.version]: {} } }));
    if (rest === `${pkg.version}.json`) {
      const archives = Object.fromEntries([...pkg.archives].map(([os, a]) => [os, { url: a.file, hashes: [`zh:${a.hash}`] }]));
      return res.end(JSON.stringify({ archives }));
    }
    const archive = [...pkg.archives.values()].find((a) => a.file === rest);
    if (archive) {
      res.setHeader('Content-Type', 'application/zip');
      res.setHeader('Content-Length', String(archive.zip.length));
      if (req.method === 'GET') downloads.set(`${pkg.namespace}/${pkg.type}`, (downloads.get(`${pkg.namespace}/${pkg.type}`) ?? 0) + 1);
      return res.end(req.method === 'HEAD' ? undefined : archive.zip);
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${server.address().port}/`;
  return {
    url,
    certFile,
    platform,
    downloads: () => Object.fromEntries(downloads),
    totalDownloads: () => [...downloads.values()].reduce((a, b) => a + b, 0),
    cliConfig(path) {
      writeFileSync(path, `provider_installation {\n  network_mirror {\n    url = "${url}"\n  }\n}\n`);
      return path;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
