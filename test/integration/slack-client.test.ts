// The Web API client the app uses: it honours SLACK_API_URL, waits Retry-After on a 429, gives up within
// seconds (not the SDK's default thirty minutes), and times out a request that never answers.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, toSlackLogger } from '../../src/logger.ts';
import { slackClientOptions } from '../../src/slack/client-options.ts';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';

const logger = toSlackLogger(createLogger({ level: 'error', write: () => undefined }), 'error');
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function fakeApi(): Promise<FakeSlackApi> {
  const api = await startFakeSlackApi();
  closers.push(() => api.close());
  return api;
}

describe('the Slack Web API client', () => {
  it('sends calls to SLACK_API_URL with the bot token', async () => {
    const api = await fakeApi();
    const client = new WebClient(api.botToken, slackClientOptions(api.url, logger));
    await client.chat.postMessage({ channel: 'C0CHANNEL1', text: 'hello' });
    const call = await api.waitForCall('chat.postMessage');
    expect(call.token).toBe(api.botToken);
    expect(call.args.text).toBe('hello');
  });

  it('waits Retry-After on a 429, then succeeds', async () => {
    const api = await fakeApi();
    api.failNext('chat.postMessage', { status: 429, headers: { 'Retry-After': '1' } });
    const client = new WebClient(api.botToken, slackClientOptions(api.url, logger));
    const started = Date.now();
    const result = await client.chat.postMessage({ channel: 'C0CHANNEL1', text: 'after the limit' });
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(api.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('gives up on a failing server after a few quick retries instead of half an hour', async () => {
    const api = await fakeApi();
    api.failNext('users.info', { status: 503 }, 100);
    const client = new WebClient(api.botToken, slackClientOptions(api.url, logger));
    const started = Date.now();
    await expect(client.users.info({ user: 'U0REQ0001' })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(api.callsTo('users.info')).toHaveLength(3);
  });

  it('times out a request that never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = http.createServer(() => undefined);
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/api/`;
    const client = new WebClient('xoxb-test-token', {
      ...slackClientOptions(url, logger, 200),
      retryConfig: { retries: 0 },
    });
    const started = Date.now();
    await expect(client.auth.test()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
