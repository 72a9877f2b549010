import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export type CutMode =
  /** Stop listening: new connections get ECONNREFUSED (the port is free until restore()). */
  | 'refuse'
  /** Keep the port but reset every new connection right after accepting it. */
  | 'reset';

export type TcpProxy = {
  host: string;
  /** Stable for the proxy's whole life, across cut()/restore(). */
  port: number;
  /** True between cut() and restore(). */
  isCut(): boolean;
  /** Connections accepted so far (including ones reset while cut). */
  connectionCount(): number;
  openConnections(): number;
  /** Rewrites a URL such as a DATABASE_URL so it goes through this proxy. */
  proxiedUrl(url: string): string;
  /** Destroys every open connection and refuses (or resets) new ones until restore(). */
  cut(mode?: CutMode): Promise<void>;
  /** Accepts and forwards again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
};

const HOST = '127.0.0.1';

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let cutMode: CutMode | undefined;
  let closed = false;
  let accepted = 0;

  function track(socket: Socket): void {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  }

  function handleConnection(client: Socket): void {
    accepted += 1;
    track(client);
    if (cutMode) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: targetHost, port: targetPort });
    track(upstream);
    // Mirror an abrupt failure on one side to the other, as a dying server or network would.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  let server = net.createServer(handleConnection);
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;

  async function destroyAll(): Promise<void> {
    const pending = [...sockets].map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.destroyed && socket.closed) {
            resolve();
            return;
          }
          socket.once('close', () => resolve());
          socket.destroy();
        }),
    );
    await Promise.all(pending);
  }

  async function stopListening(): Promise<void> {
    if (!server.listening) return;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    await destroyAll();
    await stopped;
  }

  return {
    host: HOST,
    port,
    isCut: () => cutMode !== undefined,
    connectionCount: () => accepted,
    openConnections: () => sockets.size,
    proxiedUrl: (url) => {
      const parsed = new URL(url);
      parsed.hostname = HOST;
      parsed.port = String(port);
      return parsed.toString();
    },
    cut: async (mode = 'refuse') => {
      if (closed) throw new Error('tcp proxy is closed');
      cutMode = mode;
      if (mode === 'refuse') {
        await stopListening();
      } else {
        await destroyAll();
      }
    },
    restore: async () => {
      if (closed) throw new Error('tcp proxy is closed');
      cutMode = undefined;
      if (server.listening) return;
      server = net.createServer(handleConnection);
      await listen(server, port);
    },
    close: async () => {
      closed = true;
      cutMode = 'refuse';
      await stopListening();
    },
  };
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new Error(`tcp proxy could not listen on ${HOST}:${port}: ${error.message}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
