// The app in Socket Mode end to end: SLACK_APP_TOKEN set, `apps.connections.open` answered by the fake Web
// API with the fake Socket Mode server's URL, envelopes pushed over the WebSocket and acked back.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningDomum } from '../../src/main.ts';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';
import { startFakeSocketMode } from '../support/fake-socket-mode.ts';
import type { FakeSocketMode } from '../support/fake-socket-mode.ts';
import { startTestApp } from '../support/test-app.ts';

const APP_TOKEN = 'xapp-1-A0APP0001-test';

interface SocketModeApp {
  running: RunningDomum;
  slackApi: FakeSlackApi;
  socket: FakeSocketMode;
  baseUrl: string;
  rawLogs: string[];
}

const sockets: FakeSocketMode[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) await socket.close();
});

async function startSocketModeApp(): Promise<SocketModeApp> {
  const socket = await startFakeSocketMode();
  sockets.push(socket);
  const app = await startTestApp({
    // No SLACK_SIGNING_SECRET: Socket Mode must not need it.
    env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '', LOG_LEVEL: 'debug' },
    // The fake Web API only accepts its bot token, so a handler set with setHandler would never see the
    // app-level token's call (invalid_auth first). A scripted answer is served before the token check, and
    // the call is still recorded with the token it carried. Several, in case the client reconnects.
    prepareSlackApi: (api) =>
      api.failNext('apps.connections.open', { status: 200, body: { ok: true, url: socket.url } }, 10),
  });
  return { running: app.running, slackApi: app.slackApi, socket, baseUrl: app.baseUrl, rawLogs: app.rawLogs };
}

describe('Socket Mode', () => {
  it('answers /domum help over the socket, privately, in the ack', async () => {
    const app = await startSocketModeApp();
    const payload = (await app.socket.sendSlashCommand({ text: 'help', userId: 'U0REQ0001' })) as
      { response_type?: string; text?: string } | undefined;
    expect(payload?.response_type).toBe('ephemeral');
    expect(payload?.text).toContain('/domum help');
    // The answer travels in the ack, not through response_url or chat.postMessage.
    expect(app.slackApi.callsTo('chat.postMessage')).toEqual([]);
    expect(app.slackApi.responses).toEqual([]);
  });

  it('answers an unknown subcommand with help', async () => {
    const app = await startSocketModeApp();
    const payload = (await app.socket.sendSlashCommand({ text: 'frobnicate', userId: 'U0REQ0001' })) as
      { response_type?: string; text?: string } | undefined;
    expect(payload?.response_type).toBe('ephemeral');
    expect(payload?.text).toContain("I don't know `frobnicate`");
    expect(payload?.text).toContain('/domum help');
  });

  it('opens the connection with the app-level token, never the bot token, and logs neither', async () => {
    const app = await startSocketModeApp();
    const connection = await app.socket.waitForConnection();
    expect(connection.path).toBe('/link');
    const opens = app.slackApi.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]?.token).toBe(APP_TOKEN);
    expect(opens[0]?.token).not.toBe(app.slackApi.botToken);
    // The bot token is what every other Web API call uses (auth.test at start-up).
    expect(app.slackApi.callsTo('auth.test').map((call) => call.token)).toEqual([app.slackApi.botToken]);
    const logs = app.rawLogs.join('\n');
    expect(logs).not.toContain(APP_TOKEN);
    expect(logs).not.toContain(app.slackApi.botToken);
  });

  it('still serves /healthz on the HTTP port, and no /slack/events endpoint', async () => {
    const app = await startSocketModeApp();
    const health = await fetch(`${app.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    await health.body?.cancel();
    const events = await fetch(`${app.baseUrl}/slack/events`, { method: 'POST', body: '{}' });
    expect(events.status).toBe(404);
    await events.body?.cancel();
  });

  it('closes the socket with a normal closure when the app stops', async () => {
    const app = await startSocketModeApp();
    const connection = await app.socket.waitForConnection();
    await app.running.stop();
    const closed = await app.socket.waitForClose(connection);
    // 1000: the client closed the socket on purpose (SocketModeClient.disconnect), not a dropped connection.
    expect(closed.closeCode).toBe(1000);
    // Bolt's SocketModeReceiver.stop() does not wait for the close, so stop() resolving does not prove the
    // socket is closed; waitForClose above does. A reconnect would come 5 s later at the earliest, so these
    // only show none happened before the close.
    expect(app.socket.connections).toHaveLength(1);
    expect(app.slackApi.callsTo('apps.connections.open')).toHaveLength(1);
  });
});
