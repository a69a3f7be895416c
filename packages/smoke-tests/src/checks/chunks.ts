/** Item 5 of issue 6: the chunks worker builds media on a cache miss. */
import { SmokeError } from '../errors';
import { headerValue } from '../http/client';
import type { CheckDefinition } from '../runner/types';

export const chunksMedia: CheckDefinition = {
  id: 'chunks.media',
  title: 'a data chunk and a task preview are served',
  proves:
    'On a media-cache miss the server queues the chunk and preview on the chunks queue and waits; a non-empty answer means the chunks worker built them (and kvrocks stored them).',
  components: ['workerChunks'],
  dependsOn: ['import.task-data'],
  timeoutMs: 90_000,
  async run(ctx) {
    const main = ctx.state.need('mainTask');
    const job = main.jobIds[0];
    // Each request waits on the chunks queue; a timeout here is the hang a missing chunks worker causes.
    const requestTimeoutMs = Math.max(1000, ctx.remainingMs() - 500);
    ctx.step(`GET /api/jobs/${job}/data?type=chunk&index=0&quality=original`);
    const chunk = await ctx.client.request('GET', `/api/jobs/${job}/data`, {
      auth: ctx.admin,
      query: { type: 'chunk', index: 0, quality: 'original' },
      signal: ctx.signal,
      timeoutMs: requestTimeoutMs,
      read: 'buffer',
      expect: 200,
    });
    if (!Buffer.isBuffer(chunk.body) || chunk.body.length === 0) throw new SmokeError('assertion', `${chunk.what} answered 200 with an empty chunk`);
    ctx.step(`GET /api/tasks/${main.id}/preview`);
    const preview = await ctx.client.request('GET', `/api/tasks/${main.id}/preview`, {
      auth: ctx.admin,
      signal: ctx.signal,
      timeoutMs: Math.max(1000, ctx.remainingMs() - 500),
      read: 'buffer',
      expect: 200,
    });
    const type = headerValue(preview.headers, 'content-type') ?? '';
    if (!Buffer.isBuffer(preview.body) || preview.body.length === 0 || !/^image\//i.test(type)) {
      throw new SmokeError('assertion', `${preview.what} answered 200 but not with an image (content-type "${type}", ${Buffer.isBuffer(preview.body) ? preview.body.length : 0} bytes)`);
    }
    ctx.note(`chunk ${chunk.body.length} bytes, preview ${preview.body.length} bytes`);
  },
};
