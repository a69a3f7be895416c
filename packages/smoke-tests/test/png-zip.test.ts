import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, crc32, encodePng, testFrame } from '../src/png';
import { listZipEntries, readZipEntry } from '../src/zip';

describe('encodePng', () => {
  it('writes a valid PNG: signature, IHDR size, chunk CRCs and inflatable pixel rows', () => {
    const png = encodePng(3, 2, (x, y) => [x * 10, y * 20, 255]);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([3, 2]);
    let offset = 8;
    let idat = Buffer.alloc(0);
    while (offset < png.length) {
      const length = png.readUInt32BE(offset);
      const typeAndData = png.subarray(offset + 4, offset + 8 + length);
      expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(typeAndData));
      if (typeAndData.toString('ascii', 0, 4) === 'IDAT') idat = Buffer.concat([idat, typeAndData.subarray(4)]);
      offset += 12 + length;
    }
    const raw = inflateSync(idat);
    expect(raw.length).toBe(2 * (1 + 3 * 3));
    expect([...raw.subarray(1 + 3 * 2, 1 + 3 * 3)]).toEqual([20, 0, 255]);
  });

  it('makes distinct frames for different indexes and seeds', () => {
    expect(testFrame(0, 'a').equals(testFrame(1, 'a'))).toBe(false);
    expect(testFrame(0, 'a').equals(testFrame(0, 'b'))).toBe(false);
    expect(testFrame(2, 'a').equals(testFrame(2, 'a'))).toBe(true);
  });

  it('matches the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('ZIP reading', () => {
  let dir: string;
  let archive: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smoke-zip-'));
    archive = join(dir, 'export.zip');
    await writeFile(archive, zipSync({ 'annotations.xml': strToU8('<annotations/>'), 'images/a.png': testFrame(0, 'z') }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists entries and reads one', async () => {
    expect(await listZipEntries(archive)).toEqual(['annotations.xml', 'images/a.png']);
    expect((await readZipEntry(archive, 'annotations.xml')).toString()).toBe('<annotations/>');
  });

  it('names the entries it found when the wanted one is missing', async () => {
    await expect(readZipEntry(archive, 'task.json')).rejects.toThrow(
      "the archive has no entry 'task.json'; it has: annotations.xml, images/a.png",
    );
  });

  it('says a file that is not a ZIP is not one', async () => {
    const html = join(dir, 'login.html');
    await writeFile(html, '<html>please log in</html>');
    await expect(listZipEntries(html)).rejects.toThrow(/^the downloaded file is not a readable ZIP archive: /);
  });
});
