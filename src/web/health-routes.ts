// /healthz: the process is alive (no dependency checked, so a database outage never gets it restarted).
// /readyz: the database answers; a load balancer stops sending traffic while it does not, and resumes on its
// own once it does, with no restart.
import type { Route } from './web-server.ts';
import { sendJson } from './web-server.ts';

export function healthRoutes(options: { ping: () => Promise<void>; isShuttingDown: () => boolean }): Route[] {
  return [
    {
      name: 'healthz',
      method: 'GET',
      path: '/healthz',
      handler: (_request, response) => sendJson(response, 200, { status: 'ok' }),
    },
    {
      name: 'readyz',
      method: 'GET',
      path: '/readyz',
      handler: async (_request, response) => {
        if (options.isShuttingDown()) {
          sendJson(response, 503, { status: 'stopping' });
          return;
        }
        try {
          await options.ping();
          sendJson(response, 200, { status: 'ready' });
        } catch {
          sendJson(response, 503, { status: 'unavailable', reason: 'database unreachable' });
        }
      },
    },
  ];
}
