/**
 * `multipart/form-data` bodies that stream file parts from disk. Built by hand rather than with undici's
 * `FormData` because undici 7 feeds a FormData body through a web stream whose producer keeps writing after
 * the request is aborted, which surfaces as an unhandled rejection ("ReadableStream is already closed") —
 * exactly what an interrupted or timed-out upload does. A Node `Readable` is simply destroyed on abort.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** One part: a text field, or a file streamed from `path`. */
export type FormPart =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly filename: string; readonly path: string; readonly contentType?: string };

/** An encoded body, ready to send once. */
export interface EncodedForm {
  readonly body: Readable;
  readonly length: number;
  readonly contentType: string;
}

function quote(text: string): string {
  return text.replace(/[\r\n"]/g, (c) => encodeURIComponent(c));
}

/** A multipart form; {@link MultipartForm.encode} may be called again for each attempt. */
export class MultipartForm {
  private readonly parts: FormPart[] = [];

  /** Adds a text field. */
  field(name: string, value: string): this {
    this.parts.push({ name, value });
    return this;
  }

  /** Adds a file part read from `path` when the body is sent. */
  file(name: string, path: string, filename: string, contentType = 'application/octet-stream'): this {
    this.parts.push({ name, path, filename, contentType });
    return this;
  }

  /** Part names in order (for messages and tests). */
  names(): string[] {
    return this.parts.map((p) => p.name);
  }

  /** A fresh streaming body with its exact length (file sizes are read now). */
  async encode(): Promise<EncodedForm> {
    const boundary = `----cvat-smoke-${randomBytes(12).toString('hex')}`;
    const chunks: (Buffer | { path: string; size: number })[] = [];
    for (const part of this.parts) {
      if ('value' in part) {
        chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(part.name)}"\r\n\r\n${part.value}\r\n`));
      } else {
        const { size } = await stat(part.path);
        chunks.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${quote(part.name)}"; filename="${quote(part.filename)}"\r\nContent-Type: ` +
              `${part.contentType ?? 'application/octet-stream'}\r\n\r\n`,
          ),
        );
        chunks.push({ path: part.path, size });
        chunks.push(Buffer.from('\r\n'));
      }
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    const length = chunks.reduce((sum, c) => sum + (Buffer.isBuffer(c) ? c.length : c.size), 0);
    async function* generate(): AsyncGenerator<Buffer> {
      for (const chunk of chunks) {
        if (Buffer.isBuffer(chunk)) yield chunk;
        else yield* createReadStream(chunk.path) as AsyncIterable<Buffer>;
      }
    }
    return { body: Readable.from(generate(), { objectMode: false }), length, contentType: `multipart/form-data; boundary=${boundary}` };
  }
}
