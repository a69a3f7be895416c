/**
 * A minimal PNG encoder (8-bit RGB, no filtering beyond type 0, zlib from `node:zlib`) so the suite can
 * generate its test images without an image library. Each image is distinct (its colours depend on the frame
 * index and the run id), so two tasks of one run never upload identical bytes.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309), as PNG chunks and ZIP entries use it. */
export function crc32(data: Uint8Array, seed = 0): number {
  let c = (seed ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** The 8-byte PNG signature. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Encodes an RGB image; `pixel(x, y)` returns `[r, g, b]` (0–255). */
export function encodePng(widthPx: number, heightPx: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer {
  if (!Number.isInteger(widthPx) || widthPx < 1 || !Number.isInteger(heightPx) || heightPx < 1) {
    throw new RangeError(`PNG size ${widthPx}x${heightPx} must be positive integers`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(widthPx, 0);
  header.writeUInt32BE(heightPx, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  header[10] = 0; // compression
  header[11] = 0; // filter
  header[12] = 0; // no interlace
  const stride = widthPx * 3 + 1;
  const raw = Buffer.alloc(stride * heightPx);
  for (let y = 0; y < heightPx; y++) {
    raw[y * stride] = 0; // filter type None
    for (let x = 0; x < widthPx; x++) {
      const [r, g, b] = pixel(x, y);
      const o = y * stride + 1 + x * 3;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
    }
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A distinct test frame: a background whose hue depends on `seed` and `index`, with a darker rectangle whose
 * position moves with `index` (so the frames are not identical and a box annotation has something to sit on).
 */
export function testFrame(index: number, seed: string, widthPx = 64, heightPx = 48): Buffer {
  const h = crc32(Buffer.from(`${seed}:${index}`));
  const base: [number, number, number] = [(h & 0xff) | 0x40, ((h >>> 8) & 0xff) | 0x40, ((h >>> 16) & 0xff) | 0x40];
  const x0 = 4 + ((index * 7) % Math.max(1, widthPx - 24));
  const y0 = 4 + ((index * 5) % Math.max(1, heightPx - 20));
  return encodePng(widthPx, heightPx, (x, y) =>
    x >= x0 && x < x0 + 16 && y >= y0 && y < y0 + 12 ? [base[0] >> 2, base[1] >> 2, base[2] >> 2] : base,
  );
}
