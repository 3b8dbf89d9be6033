import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { toContractError } from '../engine/errors';
import { imageBody, imageCacheControl, readBundleFile, type ImageSize } from '../serving/serving';
import { parseImagePath, statusForError, type ImageReader } from './image-route';
import {
  COOKIE_NAME,
  cookieName,
  SECURITY_HEADERS,
  securityHeadersFor,
  hostAllowed,
  newToken,
  originAllowed,
  parseTarget,
  readCookie,
  tokenCookie,
  tokensEqual,
} from './security';
import { bridgeSocket, type ContractEngine } from './ws-bridge';

export const HOST = '127.0.0.1';

/** The engine as the server sees it: the contract, its events, and images by id. */
export interface ServerEngine extends ContractEngine {
  projects: ImageReader;
}

export interface ServerOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Fixed token for tests; a fresh random one otherwise. */
  token?: string;
}

export interface RunningServer {
  /** Open this in a browser: it carries the token, which the first load trades for a cookie. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** 16 MB: room for a bulk label change of 100 000 images, nothing near memory trouble. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** A client that trickles its headers (or its body) is cut off instead of holding memory for minutes. */
const HEADERS_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Browser mode: the built renderer and images over HTTP, the contract over a WebSocket at /ws.
 * Loopback only, one random token per launch, Host and Origin checked on every request.
 */
export async function startServer(engine: ServerEngine, options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  let port = 0;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on('connection', (socket) => bridgeSocket(socket, engine));

  const authorised = (req: IncomingMessage, url: URL): boolean =>
    tokensEqual(readCookie(req, cookieName(port)), token) ||
    tokensEqual(readCookie(req, COOKIE_NAME), token) ||
    tokensEqual(url.searchParams.get('token'), token);

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      // Logged here, not echoed: the message may quote the attacker's input back to them.
      console.error(`lds serve: ${req.method ?? '?'} request failed: ${(error as Error).message}`);
      if (!res.headersSent) reply(res, 500, 'Internal error.');
      else res.destroy();
    });
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req, port)) return reply(res, 403, 'Forbidden: unexpected Host header.');
    if (!originAllowed(req, port)) return reply(res, 403, 'Forbidden: foreign Origin.');
    const url = parseTarget(req.url, port);
    if (!url) return reply(res, 400, 'Bad request: the target must be a path.');
    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (!tokensEqual(offered, token)) return reply(res, 403, 'Forbidden: wrong token. Open the URL that `lds serve` printed.');
      // Trade the token for a cookie and drop it from the address bar (and from history/referrers).
      url.searchParams.delete('token');
      // One leading slash: `//host` in Location would send the browser to another site.
      const location = `/${url.pathname.replace(/^\/+/, '')}${url.search}`;
      res.writeHead(303, { ...SECURITY_HEADERS, 'Set-Cookie': tokenCookie(token, port), Location: location, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (!authorised(req, url)) return reply(res, 403, 'Forbidden: open the URL that `lds serve` printed (it carries the access token).');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'Method not allowed.');

    const image = parseImagePath(url.pathname);
    if (image) return serveImage(res, image.id, image.size, req.method === 'HEAD');
    if (url.pathname.startsWith('/images/')) return reply(res, 404, 'No such image URL.');

    const file = await readBundleFile(options.rendererDir, url.pathname);
    if (!file) {
      if (url.pathname === '/')
        return reply(res, 500, `The renderer is not built: no index.html in ${options.rendererDir}. Run \`npx electron-vite build\`.`);
      return reply(res, 404, 'Not found.');
    }
    const immutable = url.pathname.startsWith('/assets/');
    res.writeHead(200, {
      ...securityHeadersFor(url.pathname),
      'Content-Type': file.contentType,
      'Content-Length': file.body.length,
      'Cache-Control': immutable ? 'private, max-age=31536000, immutable' : 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  async function serveImage(res: ServerResponse, id: number, size: ImageSize, headOnly: boolean): Promise<void> {
    // The grid drops tiles that scroll past; their requests are abandoned, so skip decoding for nobody.
    if (res.destroyed || res.socket?.destroyed) return;
    // A tile that scrolls away closes its connection: a thumbnail still queued for it is dropped.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    let image: { data: Buffer; contentType: string };
    try {
      image = imageBody(await engine.projects.readImage(id, size, gone.signal));
    } catch (error) {
      if (gone.signal.aborted || res.destroyed) return;
      const contractError = toContractError(error);
      return reply(res, statusForError(contractError), contractError.message);
    }
    if (res.destroyed) return;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': image.contentType,
      'Content-Length': image.data.length,
      'Cache-Control': imageCacheControl(size),
    });
    res.end(headOnly ? undefined : image.data);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The http server hands the socket over without an error listener: a reset would otherwise crash the process.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, text: string): void => {
      // Destroyed once written: a client that keeps its half open must not hold the socket.
      if (socket.writable)
        socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
      else socket.destroy();
    };
    try {
      const url = parseTarget(req.url, port);
      if (!url) return refuse(400, 'Bad Request');
      if (url.pathname !== '/ws') return refuse(404, 'Not Found');
      if (!hostAllowed(req, port) || !originAllowed(req, port) || !authorised(req, url)) return refuse(403, 'Forbidden');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch (error) {
      console.error(`lds serve: upgrade failed: ${(error as Error).message}`);
      refuse(400, 'Bad Request');
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${text}\n`);
}
