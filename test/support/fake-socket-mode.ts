// A stand-in for Slack's Socket Mode server on loopback: greets every client with `hello`, pushes envelopes,
// records what the client sends back (acks) and how each connection ends. Pair it with the fake Web API
// answering `apps.connections.open` with `{ ok: true, url: fakeSocket.url }`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { TEST_WORKSPACE, slashCommandFields } from './slash-command.ts';
import type { SlashCommandInput } from './slash-command.ts';
import { waitFor } from './wait-for.ts';

export type SocketModeEnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export type SocketModeEnvelope = {
  envelope_id: string;
  type: SocketModeEnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
};

/** What the client sends back for an envelope: Bolt's ack(), with the ack's body (if any) as `payload`. */
export type SocketModeAck = {
  envelope_id: string;
  payload?: Record<string, unknown>;
};

export type FakeSocketConnection = {
  id: number;
  /** Path and query the client connected to. */
  path: string;
  openedAt: number;
  /** Set when the socket closed, from either side. */
  closedAt: number | undefined;
  closeCode: number | undefined;
  closeReason: string | undefined;
  /** Every parsed text message the client sent on this connection. */
  received: unknown[];
};

export type SocketSlashCommandInput = SlashCommandInput & { timeoutMs?: number };

export type FakeSocketMode = {
  /** `ws://127.0.0.1:<port>/link` — what `apps.connections.open` should answer as `url`. */
  url: string;
  connections: FakeSocketConnection[];
  /** Every ack received, in arrival order. */
  acks: SocketModeAck[];
  /** Resolves with an open connection (the newest), waiting for one if needed. */
  waitForConnection(timeoutMs?: number): Promise<FakeSocketConnection>;
  /** Resolves once `connection` (default: the newest) has closed. */
  waitForClose(connection?: FakeSocketConnection, timeoutMs?: number): Promise<FakeSocketConnection>;
  /** Pushes an envelope on the newest open connection; throws when no client is connected. */
  send(envelope: SocketModeEnvelope): void;
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<SocketModeAck>;
  /** Sends `/domum <text>` as Slack does over Socket Mode and resolves with the ack's payload. */
  sendSlashCommand(input: SocketSlashCommandInput): Promise<Record<string, unknown> | undefined>;
  /** Terminates every socket and stops listening. */
  close(): Promise<void>;
};

const SOCKET_PATH = '/link';

export async function startFakeSocketMode(options: { appId?: string } = {}): Promise<FakeSocketMode> {
  const appId = options.appId ?? TEST_WORKSPACE.appId;
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: SOCKET_PATH });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `ws://127.0.0.1:${port}${SOCKET_PATH}`;

  const connections: FakeSocketConnection[] = [];
  const sockets = new Map<FakeSocketConnection, WebSocket>();
  const acks: SocketModeAck[] = [];

  server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const connection: FakeSocketConnection = {
      id: connections.length + 1,
      path: request.url ?? SOCKET_PATH,
      openedAt: Date.now(),
      closedAt: undefined,
      closeCode: undefined,
      closeReason: undefined,
      received: [],
    };
    connections.push(connection);
    sockets.set(connection, socket);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      const parsed = parseJson(rawToString(data));
      connection.received.push(parsed);
      if (isAck(parsed)) acks.push(parsed);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      connection.closedAt = Date.now();
      connection.closeCode = code;
      connection.closeReason = reason.toString('utf8');
      sockets.delete(connection);
    });
    // A client whose socket errors gets a close event right after; nothing else to do.
    socket.on('error', () => undefined);
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake', approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
  });

  function newestOpen(): WebSocket | undefined {
    for (const connection of [...connections].reverse()) {
      const socket = sockets.get(connection);
      if (socket && socket.readyState === socket.OPEN) return socket;
    }
    return undefined;
  }

  function send(envelope: SocketModeEnvelope): void {
    const socket = newestOpen();
    if (!socket) throw new Error(`fake Socket Mode: no client connected to send envelope ${envelope.envelope_id} to`);
    socket.send(JSON.stringify(envelope));
  }

  function waitForAck(envelopeId: string, timeoutMs = 5000): Promise<SocketModeAck> {
    return waitFor(() => acks.find((ack) => ack.envelope_id === envelopeId), {
      timeoutMs,
      description: `the ack of envelope ${envelopeId} (acks seen: ${acks.map((ack) => ack.envelope_id).join(', ') || 'none'})`,
    });
  }

  return {
    url,
    connections,
    acks,
    waitForConnection: (timeoutMs = 5000) =>
      waitFor(() => [...connections].reverse().find((connection) => connection.closedAt === undefined), {
        timeoutMs,
        description: 'a Socket Mode client to connect',
      }),
    waitForClose: (connection, timeoutMs = 5000) =>
      waitFor(
        () => {
          const target = connection ?? connections.at(-1);
          return target?.closedAt !== undefined ? target : undefined;
        },
        { timeoutMs, description: `Socket Mode connection ${connection?.id ?? 'newest'} to close` },
      ),
    send,
    waitForAck,
    sendSlashCommand: async (input) => {
      const envelopeId = randomUUID();
      send({
        envelope_id: envelopeId,
        type: 'slash_commands',
        // Over Socket Mode Slack sends the same fields as the HTTP form post, as JSON strings.
        payload: slashCommandFields(input, { ...TEST_WORKSPACE, appId }),
        accepts_response_payload: true,
      });
      const ack = await waitForAck(envelopeId, input.timeoutMs);
      return ack.payload;
    },
    close: async () => {
      for (const socket of sockets.values()) socket.terminate();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isAck(message: unknown): message is SocketModeAck {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { envelope_id?: unknown }).envelope_id === 'string' &&
    !('type' in message)
  );
}
