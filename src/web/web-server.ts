// The process's one HTTP server: Slack's /slack/events (HTTP mode), the landing pages, and the probes.
// Bolt's receiver gets the raw request untouched, since signature verification needs the raw body.
//
// Nothing a client sends may stop the process, so the server refuses before anything can throw: a request
// target that is not a plain path gets 400 (it is never handed to `new URL`, which throws on `//[`); a method
// the path does not take gets 405 (Bolt's listener throws on anything but POST); malformed HTTP, oversized
// headers and clients too slow to send their request are answered 400/431/408 and disconnected. An error a
// handler throws, at once or later, is logged under the route's name (never the path: it may carry a link id)
// and answered 500.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.ts';

export interface Route {
  /** What logs call the route: never the path, which may carry a link id. */
  name: string;
  method: 'GET' | 'POST';
  /** An exact path, or a pattern whose named groups become params. */
  path: string | RegExp;
  handler: (request: IncomingMessage, response: ServerResponse, params: Record<string, string>) => void | Promise<void>;
}

export type SlackEventsListener = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface HttpLimits {
  /** Time a client has to send a request's headers. */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request, body included. */
  requestTimeoutMs: number;
  /** Connections open at once; the server drops new ones beyond it. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 20_000,
  maxConnections: 1_000,
};

export interface WebServer {
  server: http.Server;
  port: number;
  /** Stops accepting connections and waits for the ones in flight. */
  close(): Promise<void>;
}

const SLACK_EVENTS_ROUTE = 'slack-events';
const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

/** What the server answers when Node's parser refuses a request (no request object exists then). */
const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

export interface WebServerOptions {
  port: number;
  routes: Route[];
  slackEventsPath?: string;
  slackEvents?: SlackEventsListener | undefined;
  logger: Logger;
  limits?: Partial<HttpLimits>;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { logger } = options;
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  // The response being written on each connection, so a parse error on that connection (a pipelined request,
  // a timeout) never writes an error status into the middle of it.
  const responses = new WeakMap<Duplex, ServerResponse>();
  const allowedMethods = allowedMethodsOf(options);

  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node looks for expired requests every 30 s by default, which would let a slow client hold a
      // connection three times longer than headersTimeout.
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    (request, response) => {
      responses.set(request.socket, response);
      response.once('close', () => {
        if (responses.get(request.socket) === response) responses.delete(request.socket);
      });
      // A write after the end emits 'error' on the response; unheard, it would be an uncaught exception.
      response.on('error', (error) => logger.warn('web response failed', { error }));
      routeRequest(options, allowedMethods, request, response);
    },
  );
  server.maxConnections = limits.maxConnections;
  // Slack retries deliveries that take over 3 s; keep-alive sockets must not hold shutdown hostage.
  server.keepAliveTimeout = 5_000;
  server.on('clientError', refuseUnparsedRequest(responses, logger));
  server.on('connect', refuseConnect(allowedMethods));
  server.on('drop', logDroppedConnections(logger, limits.maxConnections));

  await listen(server, options.port);
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** The methods a path takes, in the order of its routes; empty when no route has this path. */
type AllowedMethods = (pathname: string) => string[];

function allowedMethodsOf(options: WebServerOptions): AllowedMethods {
  return (pathname) => {
    if (options.slackEvents && pathname === options.slackEventsPath) return ['POST'];
    const methods = options.routes
      .filter((route) => matchPath(route.path, pathname) !== undefined)
      .flatMap((route) => (route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]));
    return [...new Set(methods)];
  };
}

/** Refuses what no route may take (400, 404, 405), else hands the request to Bolt or to its route. */
function routeRequest(
  options: WebServerOptions,
  allowedMethods: AllowedMethods,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const pathname = requestPath(request.url);
  if (pathname === undefined) {
    response.writeHead(400, TEXT);
    response.end('Bad request\n');
    return;
  }
  const allowed = allowedMethods(pathname);
  if (allowed.length === 0) {
    response.writeHead(404, TEXT);
    response.end('Not found\n');
    return;
  }
  if (!allowed.includes(request.method ?? '')) {
    response.writeHead(405, { ...TEXT, allow: allowed.join(', ') });
    response.end('Method not allowed\n');
    return;
  }
  const { slackEvents, logger } = options;
  if (slackEvents && pathname === options.slackEventsPath) {
    runHandler(logger, response, SLACK_EVENTS_ROUTE, () => slackEvents(request, response));
    return;
  }
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const route = options.routes.find((candidate) => candidate.method === method && matchPath(candidate.path, pathname));
  const params = route && matchPath(route.path, pathname);
  if (route && params) runHandler(logger, response, route.name, () => route.handler(request, response, params));
}

/** Runs a handler so that nothing it throws, at once or later, escapes the request. */
function runHandler(
  logger: Logger,
  response: ServerResponse,
  routeName: string,
  handler: () => void | Promise<void>,
): void {
  try {
    Promise.resolve(handler()).catch((error: unknown) => failRequest(logger, response, routeName, error));
  } catch (error) {
    failRequest(logger, response, routeName, error);
  }
}

function failRequest(logger: Logger, response: ServerResponse, routeName: string, error: unknown): void {
  // A client that went away (or was cut off by a timeout) while its body was read: not the route's fault.
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET')
    logger.info('web request abandoned by the client', { route: routeName });
  else logger.error('web route failed', { route: routeName, error });
  if (!response.headersSent) {
    response.writeHead(500, TEXT);
    response.end('Internal error\n');
  } else if (!response.writableEnded) {
    // Half an answer is already out: cutting the connection is the only honest way to say it failed.
    response.destroy();
  }
}

/** Answers a request Node's parser refused (malformed, oversized headers, too slow), unless one is being answered. */
function refuseUnparsedRequest(responses: WeakMap<Duplex, ServerResponse>, logger: Logger) {
  return (error: NodeJS.ErrnoException, socket: Duplex) => {
    const code = error.code ?? 'unknown';
    if (code === 'ECONNRESET' || !socket.writable || responses.get(socket)?.headersSent) {
      socket.destroy();
      return;
    }
    const status = CLIENT_ERROR_STATUS[code] ?? 400;
    logger.info('http request refused', { code, status });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      () => socket.destroy(),
    );
  };
}

/**
 * CONNECT is handed over as a raw socket (and dropped when nobody listens): refuse it like any other method
 * a path does not take. The socket is ours from here, errors included.
 */
function refuseConnect(allowedMethods: AllowedMethods) {
  return (request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    const pathname = requestPath(request.url);
    const allowed = pathname === undefined ? [] : allowedMethods(pathname);
    const head =
      pathname === undefined
        ? 'HTTP/1.1 400 Bad Request\r\n'
        : allowed.length === 0
          ? 'HTTP/1.1 404 Not Found\r\n'
          : `HTTP/1.1 405 Method Not Allowed\r\nallow: ${allowed.join(', ')}\r\n`;
    socket.end(`${head}connection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy());
  };
}

/** At the limit, Node closes each new connection at once; one line every 10 s says how many, not one each. */
function logDroppedConnections(logger: Logger, maxConnections: number) {
  let dropped = 0;
  let droppedLoggedAt = 0;
  return () => {
    dropped += 1;
    if (Date.now() - droppedLoggedAt < 10_000) return;
    logger.warn('http connections dropped: the server is at its connection limit', { dropped, maxConnections });
    dropped = 0;
    droppedLoggedAt = Date.now();
  };
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

// A path in origin form is unreserved and sub-delimiter characters, `:`, `@`, `/` and %-escapes (RFC 3986);
// the query, which no route reads, is anything printable up to a fragment.
const ORIGIN_FORM = /^(\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*)(?:\?[^\s#\x7f]*)?$/;

/**
 * The path of a request target: origin form (`/path?query`), or absolute form (`http://host/path`), which an
 * HTTP/1.1 server must accept. Undefined for anything else (`*`, an authority, a broken URL). Origin form is
 * never given to `new URL(target, base)`: `//host/path` would become a host and a different path.
 */
function requestPath(target: string | undefined): string | undefined {
  if (!target) return undefined;
  const originForm = ORIGIN_FORM.exec(target);
  if (originForm) return originForm[1];
  if (!/^https?:\/\//i.test(target)) return undefined;
  const url = URL.parse(target);
  return url && ORIGIN_FORM.test(url.pathname) ? url.pathname : undefined;
}

function matchPath(pattern: string | RegExp, pathname: string): Record<string, string> | undefined {
  if (typeof pattern === 'string') return pattern === pathname ? {} : undefined;
  const match = pattern.exec(pathname);
  return match ? { ...match.groups } : undefined;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
