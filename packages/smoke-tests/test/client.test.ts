import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmokeError } from '../src/errors';
import { CvatClient, type HttpExchange } from '../src/http/client';
import { MultipartForm } from '../src/http/multipart';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer, n: number) => void;

describe('CvatClient against a loopback server', () => {
  let server: Server;
  let handler: Handler;
  let requests: { method: string; url: string }[];
  let connections: number;
  let client: CvatClient;
  let exchanges: HttpExchange[];
  let dir: string;

  beforeEach(async () => {
    requests = [];
    connections = 0;
    exchanges = [];
    dir = await mkdtemp(join(tmpdir(), 'smoke-client-'));
    server = createServer(async (req, res) => {
      const parts: Buffer[] = [];
      for await (const p of req) parts.push(p as Buffer);
      requests.push({ method: req.method as string, url: req.url as string });
      handler(req, res, Buffer.concat(parts), requests.length);
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = new CvatClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      requestTimeoutMs: 500,
      retry: { minDelayMs: 1, maxDelayMs: 5 },
      onExchange: (e) => exchanges.push(e),
    });
  });

  afterEach(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/vnd.cvat+json' }).end(JSON.stringify(body));
  };

  it('retries a GET after 503s and returns the final answer with the attempt count', async () => {
    handler = (_req, res, _b, n) => (n < 3 ? res.writeHead(503).end() : json(res, 200, { ok: true }));
    const res = await client.request('GET', '/api/x', { expect: 200 });
    expect(res.body).toEqual({ ok: true });
    expect(res.attempts).toBe(3);
    expect(exchanges.map((e) => [e.status, e.willRetry])).toEqual([
      [503, true],
      [503, true],
      [200, false],
    ]);
  });

  it('sends a POST once and reports the 503, naming the request and the attempts', async () => {
    handler = (_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
    await expect(client.request('POST', '/api/tasks', { json: { name: 'x' }, expect: 201 })).rejects.toThrow(
      'POST /api/tasks answered 503, expected 201: busy',
    );
    expect(requests).toHaveLength(1);
  });

  it('gives up after the retry budget on a GET that keeps failing', async () => {
    handler = (_req, res) => res.writeHead(502).end();
    const error = await client.request('GET', '/api/x', { expect: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmokeError);
    expect((error as SmokeError).message).toBe('GET /api/x answered 502 after 3 attempts, expected 200: (empty body)');
    expect(requests).toHaveLength(3);
  });

  it('retries a DELETE whose connection was reset', async () => {
    handler = (req, res, _b, n) => (n === 1 ? req.socket.destroy() : res.writeHead(204).end());
    const res = await client.request('DELETE', '/api/tasks/1', { expect: 204, read: 'discard' });
    expect(res.attempts).toBe(2);
  });

  it('turns a slow answer into a timeout error without retrying', async () => {
    let answered = false;
    handler = (_req, res) =>
      setTimeout(() => {
        answered = true;
        res.writeHead(200).end();
      }, 2000);
    const error = await client.request('GET', '/api/slow', { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(answered).toBe(false); // the error came before the server's answer (an ordering, not a wall-clock bound)
    expect(error).toMatchObject({ code: 'timeout', message: 'GET /api/slow got no complete answer within 0.10 s' });
    expect(requests.length).toBeLessThanOrEqual(1);
  });

  it('stops at once with an aborted error when the caller aborts', async () => {
    handler = (_req, res) => setTimeout(() => res.writeHead(200).end(), 2000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(client.request('GET', '/api/slow', { signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
  });

  it('reuses keep-alive connections for sequential requests', async () => {
    handler = (_req, res) => json(res, 200, {});
    for (let i = 0; i < 10; i++) await client.request('GET', `/api/x/${i}`, { expect: 200 });
    // Without keep-alive this would be 10; undici's pool may open a second socket while the first is being released.
    expect(connections).toBeLessThanOrEqual(2);
  });

  it('streams a multipart upload from disk with an exact content-length', async () => {
    const file = join(dir, 'frame.bin');
    const content = Buffer.alloc(256 * 1024, 7);
    await writeFile(file, content);
    let seen: { length?: string; type?: string; parts?: [string, string | number][] } = {};
    handler = async (req, res, body) => {
      const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] as string } }).formData();
      seen = {
        length: req.headers['content-length'],
        type: req.headers['content-type'],
        parts: await Promise.all(
          [...form.entries()].map(
            async ([k, v]) => [k, typeof v === 'string' ? v : (await v.arrayBuffer()).byteLength] as [string, string | number],
          ),
        ),
      };
      json(res, 202, { rq_id: 'x' });
    };
    const form = new MultipartForm().file('client_files[0]', file, 'frame.bin').field('image_quality', '70');
    await client.request('POST', '/api/tasks/1/data/', { form, expect: 202 });
    expect(seen.parts).toEqual([
      ['client_files[0]', content.length],
      ['image_quality', '70'],
    ]);
    expect(seen.type).toMatch(/^multipart\/form-data; boundary=/);
    expect(Number(seen.length)).toBeGreaterThan(content.length);
  });

  it('streams a download to a file and counts its bytes', async () => {
    const content = Buffer.alloc(300_000, 3);
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/zip' }).end(content);
    const path = join(dir, 'out.zip');
    const result = await client.download('/api/result', path);
    expect(result).toEqual({ status: 200, bytes: content.length, contentType: 'application/zip', path });
    expect((await readFile(path)).equals(content)).toBe(true);
  });

  it('says which credentials header each scheme sends', async () => {
    const seen: (string | undefined)[] = [];
    handler = (req, res) => {
      seen.push(req.headers.authorization ?? req.headers.cookie);
      json(res, 200, {});
    };
    await client.request('GET', '/a', { auth: { kind: 'basic', username: 'admin', password: 'p:w' } });
    await client.request('GET', '/a', { auth: { kind: 'token', key: 'k1' } });
    await client.request('GET', '/a', { auth: { kind: 'session', sessionId: 's1', csrfToken: 'c1' } });
    expect(seen).toEqual([`Basic ${Buffer.from('admin:p:w').toString('base64')}`, 'Token k1', 'sessionid=s1; csrftoken=c1']);
  });

  it('rejects a base URL that is not absolute http(s), naming the value', () => {
    expect(() => new CvatClient({ baseUrl: 'cvat.example.org' })).toThrow(
      `'url' ("cvat.example.org") is not an absolute URL; expected e.g. https://cvat.example.org`,
    );
    expect(() => new CvatClient({ baseUrl: 'ftp://cvat.example.org' })).toThrow(`'url' (ftp://cvat.example.org) must use http or https`);
  });
});
