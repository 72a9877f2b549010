// The process's one HTTP server: Slack's /slack/events (HTTP mode), the landing pages, and the probes.
// Bolt's receiver gets the raw request untouched, since signature verification needs the raw body.
import http from 'node:http';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';

export interface Route {
  /** What logs call the route: never the path, which may carry a link id. */
  name: string;
  method: 'GET' | 'POST';
  /** An exact path, or a pattern whose named groups become params. */
  path: string | RegExp;
  handler: (request: IncomingMessage, response: ServerResponse, params: Record<string, string>) => void | Promise<void>;
}

export interface WebServer {
  server: http.Server;
  port: number;
  /** Stops accepting connections and waits for the ones in flight. */
  close(): Promise<void>;
}

export async function startWebServer(options: {
  port: number;
  routes: Route[];
  slackEventsPath?: string;
  slackEvents?: RequestListener | undefined;
  logger: Logger;
}): Promise<WebServer> {
  const { routes, logger } = options;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (options.slackEvents && url.pathname === options.slackEventsPath) {
      options.slackEvents(request, response);
      return;
    }
    const pathMatches = routes.filter((route) => matchPath(route.path, url.pathname) !== undefined);
    const route = pathMatches.find(
      (candidate) => candidate.method === request.method || (candidate.method === 'GET' && request.method === 'HEAD'),
    );
    if (!route) {
      const status = pathMatches.length > 0 ? 405 : 404;
      response.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        ...(status === 405 ? { allow: pathMatches.map((r) => r.method).join(', ') } : {}),
      });
      response.end(status === 405 ? 'Method not allowed\n' : 'Not found\n');
      return;
    }
    const params = matchPath(route.path, url.pathname) ?? {};
    Promise.resolve(route.handler(request, response, params)).catch((error: unknown) => {
      logger.error('web route failed', { route: route.name, error });
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Internal error\n');
    });
  });
  // Slack retries deliveries that take over 3 s; keep-alive sockets must not hold shutdown hostage.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
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

function matchPath(pattern: string | RegExp, pathname: string): Record<string, string> | undefined {
  if (typeof pattern === 'string') return pattern === pathname ? {} : undefined;
  const match = pattern.exec(pathname);
  return match ? { ...match.groups } : undefined;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
