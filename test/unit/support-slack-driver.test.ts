import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';
import { createSlackDriver, signSlackRequest } from '../support/slack-driver.ts';

type CapturedRequest = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

const SECRET = 'test-signing-secret';

describe('signSlackRequest', () => {
  it('matches the example from Slack’s request-signing documentation', () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
      '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
      '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
      '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });
});

describe('Slack driver wire format', () => {
  let server: http.Server;
  let baseUrl: string;
  const received: CapturedRequest[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    received.length = 0;
  });

  function expectValidSignature(request: CapturedRequest, secret = SECRET): void {
    const timestamp = String(request.headers['x-slack-request-timestamp']);
    const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${request.body}`).digest('hex')}`;
    expect(request.headers['x-slack-signature']).toBe(expected);
  }

  it('posts a slash command as Slack does', async () => {
    const driver = createSlackDriver({ baseUrl, signingSecret: SECRET });
    const before = Math.floor(Date.now() / 1000);
    const result = await driver.command({ text: 'add dishes every day', userId: 'U0ALICE01' });
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({ ok: true });

    const [request] = received;
    if (!request) throw new Error('no request received');
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/slack/events');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Number(request.headers['x-slack-request-timestamp'])).toBeGreaterThanOrEqual(before);
    expectValidSignature(request);

    const fields = Object.fromEntries(new URLSearchParams(request.body));
    expect(fields).toMatchObject({
      team_id: 'T0TEAM001',
      channel_id: 'C0CHAN001',
      user_id: 'U0ALICE01',
      command: '/domum',
      text: 'add dishes every day',
      is_enterprise_install: 'false',
    });
    expect(fields['trigger_id']).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    expect(Object.keys(fields)).toEqual(
      expect.arrayContaining(['token', 'team_domain', 'channel_name', 'user_name', 'api_app_id', 'response_url']),
    );
    expect(result.fields).toEqual(fields);
  });

  it('posts interactivity payloads as a urlencoded payload field, filling Slack’s envelope', async () => {
    const driver = createSlackDriver({ baseUrl, signingSecret: SECRET });
    await driver.interactive({ type: 'block_actions', user: { id: 'U0ALICE01' }, actions: [{ action_id: 'done' }] });
    const [request] = received;
    if (!request) throw new Error('no request received');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expectValidSignature(request);
    const payload = JSON.parse(new URLSearchParams(request.body).get('payload') ?? 'null') as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0ALICE01' },
      team: { id: 'T0TEAM001' },
      api_app_id: 'A0APP0001',
      actions: [{ action_id: 'done' }],
    });
    expect(typeof payload['trigger_id']).toBe('string');
  });

  it('posts events in an event_callback envelope, with retry headers on demand', async () => {
    const driver = createSlackDriver({ baseUrl, signingSecret: SECRET, teamId: 'T0OTHER01' });
    const result = await driver.event(
      { type: 'app_home_opened', user: 'U0ALICE01', tab: 'home' },
      { eventId: 'Ev0000TEST', retryNum: 1 },
    );
    expect(result.eventId).toBe('Ev0000TEST');
    const [request] = received;
    if (!request) throw new Error('no request received');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-slack-retry-num']).toBe('1');
    expect(request.headers['x-slack-retry-reason']).toBe('http_timeout');
    expectValidSignature(request);
    expect(JSON.parse(request.body)).toMatchObject({
      type: 'event_callback',
      team_id: 'T0OTHER01',
      event_id: 'Ev0000TEST',
      event: { type: 'app_home_opened', user: 'U0ALICE01', tab: 'home' },
    });
  });

  it('lets a test forge the timestamp, secret or signature', async () => {
    const driver = createSlackDriver({ baseUrl, signingSecret: SECRET });
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    await driver.event({ type: 'app_mention' }, {}, { timestampSeconds: stale });
    await driver.event({ type: 'app_mention' }, {}, { signingSecret: 'wrong-secret' });
    await driver.event({ type: 'app_mention' }, {}, { signature: 'v0=garbage' });
    const [staleRequest, wrongSecretRequest, garbageRequest] = received;
    if (!staleRequest || !wrongSecretRequest || !garbageRequest) throw new Error('missing requests');
    expect(staleRequest.headers['x-slack-request-timestamp']).toBe(String(stale));
    expectValidSignature(staleRequest);
    expectValidSignature(wrongSecretRequest, 'wrong-secret');
    expect(garbageRequest.headers['x-slack-signature']).toBe('v0=garbage');
  });
});

describe('Slack driver against a real Bolt app and the fake Slack API', () => {
  let fake: FakeSlackApi;
  let app: App;
  let baseUrl: string;

  beforeEach(async () => {
    fake = await startFakeSlackApi();
    app = new App({
      token: fake.botToken,
      signingSecret: SECRET,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
    });
    app.command('/domum', async ({ ack, respond, command }) => {
      await ack();
      await respond({ response_type: 'ephemeral', text: `echo: ${command.text}` });
    });
    app.event('app_mention', async ({ event, say }) => {
      await say({ text: `hi <@${event.user ?? ''}>`, thread_ts: event.ts });
    });
    app.action('done', async ({ ack }) => {
      await ack();
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as http.Server;
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  it('drives a command whose respond() lands on the fake response_url', async () => {
    const driver = createSlackDriver({ baseUrl, signingSecret: SECRET, fakeApi: fake });
    const result = await driver.command({ text: 'ping', userId: 'U0ALICE01' });
    expect(result.status).toBe(200);
    expect(result.durationMs).toBeLessThan(3000);
    const response = await fake.waitForResponse();
    expect(response.body).toEqual({ response_type: 'ephemeral', text: 'echo: ping' });
    expect(result.fields['response_url']).toBe(`${fake.origin}/response/${response.id}`);
  });

  it('drives an event whose say() reaches chat.postMessage', async () => {
    const driver = createSlackDriver({ baseUrl, signingSecret: SECRET, fakeApi: fake });
    const result = await driver.event({
      type: 'app_mention',
      user: 'U0ALICE01',
      text: `<@${fake.botUserId}> hello`,
      ts: '1700000001.000100',
      channel: 'C0CHAN001',
    });
    expect(result.status).toBe(200);
    const call = await fake.waitForCall('chat.postMessage');
    expect(call.args).toMatchObject({ channel: 'C0CHAN001', text: 'hi <@U0ALICE01>', thread_ts: '1700000001.000100' });
  });

  it('is accepted for interactivity payloads', async () => {
    const driver = createSlackDriver({ baseUrl, signingSecret: SECRET, fakeApi: fake });
    const result = await driver.interactive({
      type: 'block_actions',
      user: { id: 'U0ALICE01', team_id: 'T0TEAM001' },
      channel: { id: 'C0CHAN001' },
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'C0CHAN001' },
      actions: [{ type: 'button', action_id: 'done', block_id: 'b1', value: 'x', action_ts: '1700000002.000100' }],
    });
    expect(result.status).toBe(200);
  });

  it('gets 401 from Bolt for stale, wrongly signed or garbage-signed requests', async () => {
    const driver = createSlackDriver({ baseUrl, signingSecret: SECRET, fakeApi: fake });
    const stale = await driver.command(
      { text: 'ping', userId: 'U0ALICE01' },
      { timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    const wrongSecret = await driver.command({ text: 'ping', userId: 'U0ALICE01' }, { signingSecret: 'nope' });
    const garbage = await driver.event({ type: 'app_mention' }, {}, { signature: 'v0=deadbeef' });
    expect([stale.status, wrongSecret.status, garbage.status]).toEqual([401, 401, 401]);
    expect(fake.responses).toHaveLength(0);
  });
});
