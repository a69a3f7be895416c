/**
 * Reading export archives with yauzl: it reads the central directory from the downloaded file and inflates
 * only the entries asked for, so a large export is never held in memory whole.
 */
import * as yauzl from 'yauzl';
import { SmokeError } from './errors';

function open(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error)
        reject(new SmokeError('assertion', `the downloaded file is not a readable ZIP archive: ${error.message}`, { cause: error }));
      else resolve(zip);
    });
  });
}

/** Walks every entry; `onEntry` may return a promise (e.g. to read the entry) before the next one is read. */
async function walk(path: string, onEntry: (zip: yauzl.ZipFile, entry: yauzl.Entry) => Promise<boolean | undefined>): Promise<void> {
  const zip = await open(path);
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (error: Error) =>
        reject(new SmokeError('assertion', `the ZIP archive is damaged: ${error.message}`, { cause: error })),
      );
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        onEntry(zip, entry).then(
          (stop) => (stop === true ? resolve() : zip.readEntry()),
          (error: unknown) => reject(error),
        );
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

/** The file names in a ZIP archive (directories end with `/`). */
export async function listZipEntries(path: string): Promise<string[]> {
  const names: string[] = [];
  await walk(path, async (_zip, entry) => {
    names.push(entry.fileName);
  });
  return names;
}

/** The uncompressed bytes of the entry `name`; throws a {@link SmokeError} `assertion` naming the entries found when missing. */
export async function readZipEntry(path: string, name: string, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  let content: Buffer | undefined;
  const seen: string[] = [];
  await walk(path, async (zip, entry) => {
    seen.push(entry.fileName);
    if (entry.fileName !== name) return;
    if (entry.uncompressedSize > maxBytes)
      throw new SmokeError(
        'assertion',
        `archive entry ${name} is ${entry.uncompressedSize} bytes, more than the ${maxBytes} this check reads`,
      );
    content = await new Promise<Buffer>((resolve, reject) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const parts: Buffer[] = [];
        stream.on('data', (part: Buffer) => parts.push(part));
        stream.on('error', reject);
        stream.on('end', () => resolve(Buffer.concat(parts)));
      });
    });
    return true;
  });
  if (content === undefined) {
    throw new SmokeError(
      'assertion',
      `the archive has no entry '${name}'; it has: ${seen.slice(0, 12).join(', ') || '(nothing)'}${seen.length > 12 ? ', …' : ''}`,
    );
  }
  return content;
}
