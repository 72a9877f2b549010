import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import type { TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait-for.ts';

type LineClient = {
  socket: net.Socket;
  request(line: string): Promise<string>;
  closed: Promise<void>;
};

function connectLineClient(port: number): Promise<LineClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setEncoding('utf8');
    const closed = new Promise<void>((resolveClosed) => socket.once('close', () => resolveClosed()));
    socket.on('error', () => undefined);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        socket,
        closed,
        request: (line) =>
          new Promise((resolveLine, rejectLine) => {
            socket.once('data', (data: string) => resolveLine(data.trim()));
            socket.once('close', () => rejectLine(new Error('closed before answering')));
            socket.write(`${line}\n`);
          }),
      });
    });
  });
}

function connectionOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.once('close', () => resolve('closed'));
    socket.once('data', () => resolve('data'));
    socket.once('connect', () => socket.write('ping\n'));
  });
}

describe('TCP proxy', () => {
  let echoServer: net.Server;
  let proxy: TcpProxy;
  const echoSockets = new Set<net.Socket>();

  beforeEach(async () => {
    echoServer = net.createServer((socket) => {
      echoSockets.add(socket);
      socket.once('close', () => echoSockets.delete(socket));
      socket.on('error', () => undefined);
      socket.on('data', (data) => socket.write(`echo ${data.toString()}`));
    });
    await new Promise<void>((resolve) => echoServer.listen(0, '127.0.0.1', resolve));
    proxy = await startTcpProxy('127.0.0.1', (echoServer.address() as AddressInfo).port);
  });

  afterEach(async () => {
    await proxy.close();
    for (const socket of echoSockets) socket.destroy();
    await new Promise<void>((resolve) => echoServer.close(() => resolve()));
  });

  it('forwards traffic both ways', async () => {
    const client = await connectLineClient(proxy.port);
    await expect(client.request('hello')).resolves.toBe('echo hello');
    expect(proxy.connectionCount()).toBe(1);
    client.socket.destroy();
  });

  it('cut() drops open connections and refuses new ones; restore() accepts again on the same port', async () => {
    const client = await connectLineClient(proxy.port);
    await client.request('before');
    const port = proxy.port;

    await proxy.cut();
    await client.closed;
    expect(proxy.isCut()).toBe(true);
    expect(proxy.openConnections()).toBe(0);
    await expect(connectionOutcome(port)).resolves.toBe('ECONNREFUSED');

    await proxy.restore();
    expect(proxy.port).toBe(port);
    const again = await connectLineClient(port);
    await expect(again.request('after')).resolves.toBe('echo after');
    again.socket.destroy();
  });

  it('cut("reset") keeps the port but resets every new connection', async () => {
    await proxy.cut('reset');
    const outcome = await connectionOutcome(proxy.port);
    expect(['ECONNRESET', 'closed']).toContain(outcome);
    await proxy.restore();
    const client = await connectLineClient(proxy.port);
    await expect(client.request('back')).resolves.toBe('echo back');
    client.socket.destroy();
  });

  it('drops the client when the target goes away', async () => {
    const client = await connectLineClient(proxy.port);
    await client.request('x');
    for (const socket of echoSockets) socket.destroy();
    await client.closed;
    await waitFor(() => proxy.openConnections() === 0, { description: 'proxy to release both sides' });
  });

  it('rewrites a database URL to go through the proxy', () => {
    expect(proxy.proxiedUrl('postgres://user:pw@db.internal:5432/domum?sslmode=disable')).toBe(
      `postgres://user:pw@127.0.0.1:${proxy.port}/domum?sslmode=disable`,
    );
  });
});
