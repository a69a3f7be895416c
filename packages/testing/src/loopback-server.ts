/**
 * A tiny generic loopback HTTP server for test doubles: listens on 127.0.0.1 on a free port, collects request
 * bodies, records every request, and closes all sockets on `close()` so tests end promptly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** A request as the handler sees it: body already read. */
export interface LoopbackRequest {
  method: string;
  /** Path without the query string, percent-decoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** What a handler returns; `body` objects are sent as JSON. */
export interface LoopbackResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
}

export type LoopbackHandler = (req: LoopbackRequest) => LoopbackResponse | Promise<LoopbackResponse>;

/** A running server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request received, in order (method + raw url). */
  requests: { method: string; url: string }[];
  close(): Promise<void>;
}

export async function startLoopbackServer(handler: LoopbackHandler): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const requests: LoopbackServer['requests'] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/' });
      Promise.resolve()
        .then(() =>
          handler({
            method: req.method ?? 'GET',
            path: decodeURIComponent(url.pathname),
            query: url.searchParams,
            headers: req.headers,
            body: Buffer.concat(chunks),
          }),
        )
        .then(
          (r) => send(res, req.method === 'HEAD', r),
          (error: unknown) => send(res, false, { status: 500, body: { error: { code: 'TestDoubleError', message: String(error) } } }),
        );
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, head: boolean, r: LoopbackResponse): void {
  let body: Buffer = Buffer.alloc(0);
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  if (Buffer.isBuffer(r.body)) body = r.body;
  else if (typeof r.body === 'string') body = Buffer.from(r.body);
  else if (r.body !== undefined) {
    body = Buffer.from(JSON.stringify(r.body));
    headers['content-type'] ??= 'application/json';
  }
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(body.length);
  res.writeHead(r.status, headers);
  res.end(head ? undefined : body);
}

/**
 * A 127.0.0.1 port nothing listens on (bound, then released): a connection to it is refused at once, like an API
 * that is down. Use `http://127.0.0.1:<port>` as an endpoint to prove a command fails fast, or never connects.
 */
export async function closedLoopbackPort(): Promise<number> {
  const { createServer: createNetServer } = await import('node:net');
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
