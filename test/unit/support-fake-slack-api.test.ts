import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import type { KnownBlock } from '@slack/web-api';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';

function createClient(fake: FakeSlackApi, token = fake.botToken): WebClient {
  // ERROR level: some tests send deliberately incomplete messages that web-api would warn about.
  return new WebClient(token, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
}

describe('fake Slack API', () => {
  let fake: FakeSlackApi;

  beforeEach(async () => {
    fake = await startFakeSlackApi({
      users: { U0ALICE01: { tz: 'Europe/Berlin', real_name: 'Alice Example' } },
    });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('listens on 127.0.0.1 with a random port and exposes the API url', () => {
    expect(fake.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.url).toBe(`${fake.origin}/api/`);
  });

  it('answers auth.test like Slack', async () => {
    const result = await createClient(fake).auth.test();
    expect(result).toMatchObject({
      ok: true,
      user_id: 'U0BOT0001',
      bot_id: 'B0BOT0001',
      team_id: 'T0TEAM001',
      user: 'domum',
    });
    expect(fake.calls[0]).toMatchObject({ method: 'auth.test', token: 'xoxb-test-token', encoding: 'form' });
  });

  it('records chat.postMessage with blocks parsed back to objects and increasing ts', async () => {
    const client = createClient(fake);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Hello*' } }];
    const first = await client.chat.postMessage({ channel: 'C0CHAN001', text: '[urgent] {not json}', blocks });
    const second = await client.chat.postMessage({ channel: 'C0CHAN001', text: 'again', thread_ts: first.ts });

    expect(first.ts).toBe('1700000000.000100');
    expect(second.ts).toBe('1700000000.000200');
    expect(first.channel).toBe('C0CHAN001');
    expect(first.message).toMatchObject({
      text: '[urgent] {not json}',
      blocks,
      user: 'U0BOT0001',
      bot_id: 'B0BOT0001',
    });

    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.args).toEqual({ channel: 'C0CHAN001', text: '[urgent] {not json}', blocks });
    expect(call?.token).toBe('xoxb-test-token');
    expect(fake.callsTo('chat.postMessage')[1]?.args['thread_ts']).toBe(first.ts);
    expect(fake.findMessage('C0CHAN001', second.ts ?? '')?.thread_ts).toBe(first.ts);
  });

  it('maps a user id channel to a DM like Slack and rejects empty messages', async () => {
    const client = createClient(fake);
    const result = await client.chat.postMessage({ channel: 'U0ALICE01', text: 'hi' });
    expect(result.channel).toBe('DU0ALICE01');
    await expect(client.chat.postMessage({ channel: 'C0CHAN001', text: '' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'no_text' },
    });
  });

  it('serves chat.update, postEphemeral, delete and getPermalink', async () => {
    const client = createClient(fake);
    const posted = await client.chat.postMessage({ channel: 'C0CHAN001', text: 'v1' });
    const ts = posted.ts ?? '';
    const updated = await client.chat.update({ channel: 'C0CHAN001', ts, text: 'v2' });
    expect(updated).toMatchObject({ ok: true, channel: 'C0CHAN001', ts, text: 'v2' });
    expect(fake.findMessage('C0CHAN001', ts)?.text).toBe('v2');

    const ephemeral = await client.chat.postEphemeral({ channel: 'C0CHAN001', user: 'U0ALICE01', text: 'psst' });
    expect(ephemeral.message_ts).toMatch(/^\d{10}\.\d{6}$/);

    const permalink = await client.chat.getPermalink({ channel: 'C0CHAN001', message_ts: ts });
    expect(permalink.permalink).toBe(`https://domum-test.slack.com/archives/C0CHAN001/p${ts.replace('.', '')}`);

    await client.chat.delete({ channel: 'C0CHAN001', ts });
    expect(fake.findMessage('C0CHAN001', ts)?.deleted).toBe(true);
  });

  it('answers users.info from the configured users and user_not_found otherwise', async () => {
    const client = createClient(fake);
    const alice = await client.users.info({ user: 'U0ALICE01' });
    expect(alice.user).toMatchObject({
      id: 'U0ALICE01',
      tz: 'Europe/Berlin',
      real_name: 'Alice Example',
      is_bot: false,
    });
    expect([3600, 7200]).toContain(alice.user?.tz_offset);

    await expect(client.users.info({ user: 'U0NOBODY1' })).rejects.toMatchObject({
      data: { ok: false, error: 'user_not_found' },
    });

    fake.setUser('U0NOBODY1', { tz: 'Asia/Kolkata' });
    const added = await client.users.info({ user: 'U0NOBODY1' });
    expect(added.user).toMatchObject({ tz: 'Asia/Kolkata', tz_offset: 19800 });
  });

  it('answers any users.info with a UTC user when no user map was given', async () => {
    const open = await startFakeSlackApi();
    try {
      const result = await createClient(open).users.info({ user: 'U0ANYONE1' });
      expect(result.user).toMatchObject({ id: 'U0ANYONE1', tz: 'UTC', tz_offset: 0, is_bot: false });
    } finally {
      await open.close();
    }
  });

  it('rejects calls without a token or with a wrong one', async () => {
    await expect(createClient(fake, 'xoxb-wrong').auth.test()).rejects.toMatchObject({
      data: { error: 'invalid_auth' },
    });
    const response = await fetch(`${fake.url}auth.test`, { method: 'POST' });
    expect(await response.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('records unknown methods and answers unknown_method', async () => {
    await expect(createClient(fake).apiCall('reminders.teleport', { when: 'now' })).rejects.toMatchObject({
      data: { error: 'unknown_method' },
    });
    expect(fake.callsTo('reminders.teleport')).toHaveLength(1);
  });

  it('accepts JSON bodies too', async () => {
    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${fake.botToken}` },
      body: JSON.stringify({ channel: 'C0CHAN001', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: 'C0CHAN001' });
    expect(fake.calls[0]).toMatchObject({ encoding: 'json', args: { blocks: [{ type: 'divider' }] } });
  });

  describe('scripted failures', () => {
    it('answers 429 with Retry-After, then serves normally', async () => {
      fake.failNext('chat.postMessage', { status: 429, headers: { 'Retry-After': '1' } });
      const client = new WebClient(fake.botToken, {
        slackApiUrl: fake.url,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
      });
      await expect(client.chat.postMessage({ channel: 'C0CHAN001', text: 'x' })).rejects.toMatchObject({
        code: ErrorCode.RateLimitedError,
        retryAfter: 1,
      });
      await expect(client.chat.postMessage({ channel: 'C0CHAN001', text: 'x' })).resolves.toMatchObject({ ok: true });
      expect(fake.callsTo('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
    });

    it('answers an ok:false body the given number of times', async () => {
      fake.failNext('users.info', { body: { ok: false, error: 'user_not_found' } }, 2);
      const client = createClient(fake);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        await expect(client.users.info({ user: 'U0ALICE01' })).rejects.toMatchObject({
          data: { error: 'user_not_found' },
        });
      }
      await expect(client.users.info({ user: 'U0ALICE01' })).resolves.toMatchObject({ ok: true });
    });

    it('answers HTTP 500', async () => {
      fake.failNext('chat.postMessage', { status: 500 });
      await expect(createClient(fake).chat.postMessage({ channel: 'C0CHAN001', text: 'x' })).rejects.toMatchObject({
        code: ErrorCode.HTTPError,
        statusCode: 500,
      });
    });
  });

  describe('waiting for calls', () => {
    it('resolves when a matching call arrives later', async () => {
      const waiting = fake.waitForCall('chat.postMessage', (call) => call.args['text'] === 'second');
      const client = createClient(fake);
      await client.chat.postMessage({ channel: 'C0CHAN001', text: 'first' });
      await client.chat.postMessage({ channel: 'C0CHAN001', text: 'second' });
      const call = await waiting;
      expect(call.args['text']).toBe('second');
    });

    it('resolves at once for a call that already arrived', async () => {
      await createClient(fake).auth.test();
      await expect(fake.waitForCall('auth.test')).resolves.toMatchObject({ method: 'auth.test' });
    });

    it('waits for a number of calls', async () => {
      const waiting = fake.waitForCalls('chat.postEphemeral', 2);
      const client = createClient(fake);
      await client.chat.postEphemeral({ channel: 'C0CHAN001', user: 'U0ALICE01', text: 'a' });
      await client.chat.postEphemeral({ channel: 'C0CHAN001', user: 'U0ALICE01', text: 'b' });
      expect((await waiting).map((call) => call.args['text'])).toEqual(['a', 'b']);
    });

    it('times out listing the calls it saw', async () => {
      await createClient(fake).auth.test();
      await expect(fake.waitForCall('views.open', undefined, 50)).rejects.toThrow(
        /Timed out after 50 ms waiting for a views\.open call.*auth\.test/,
      );
    });

    it('reset() forgets calls', async () => {
      await createClient(fake).auth.test();
      fake.reset();
      expect(fake.calls).toHaveLength(0);
    });
  });

  describe('views', () => {
    it('opens, updates with hash checks, pushes and publishes views', async () => {
      const client = createClient(fake);
      const modal = {
        type: 'modal' as const,
        callback_id: 'new-chore',
        title: { type: 'plain_text' as const, text: 'New chore' },
        blocks: [{ type: 'divider' as const }],
        private_metadata: '{"a":1}',
      };
      const opened = await client.views.open({ trigger_id: '123.456.abc', view: modal });
      expect(opened.view).toMatchObject({
        id: 'V0000001',
        type: 'modal',
        callback_id: 'new-chore',
        private_metadata: '{"a":1}',
      });
      expect(fake.callsTo('views.open')[0]?.args['view']).toEqual(modal);

      const id = opened.view?.id ?? '';
      const hash = opened.view?.hash ?? '';
      const updated = await client.views.update({ view_id: id, hash, view: { ...modal, callback_id: 'edited' } });
      expect(updated.view).toMatchObject({ id, callback_id: 'edited' });
      expect(updated.view?.hash).not.toBe(hash);
      expect(fake.views.get(id)?.['callback_id']).toBe('edited');

      await expect(client.views.update({ view_id: id, hash, view: modal })).rejects.toMatchObject({
        data: { error: 'hash_conflict' },
      });

      const pushed = await client.views.push({ trigger_id: '123.456.def', view: modal });
      expect(pushed.view?.id).toBe('V0000002');

      const home = await client.views.publish({ user_id: 'U0ALICE01', view: { type: 'home', blocks: [] } });
      const again = await client.views.publish({ user_id: 'U0ALICE01', view: { type: 'home', blocks: [] } });
      expect(again.view?.id).toBe(home.view?.id);
    });
  });

  it('serves conversations.open and usergroups.users.list', async () => {
    const client = createClient(fake);
    const dm = await client.conversations.open({ users: 'U0ALICE01' });
    expect(dm.channel?.id).toBe('DU0ALICE01');

    await expect(client.usergroups.users.list({ usergroup: 'S0GROUP01' })).rejects.toMatchObject({
      data: { error: 'no_such_subteam' },
    });
    fake.setUsergroup('S0GROUP01', ['U0ALICE01', 'U0BOB0001']);
    const group = await client.usergroups.users.list({ usergroup: 'S0GROUP01' });
    expect(group.users).toEqual(['U0ALICE01', 'U0BOB0001']);
  });

  describe('files', () => {
    it('runs the filesUploadV2 flow of @slack/web-api end to end', async () => {
      const client = createClient(fake);
      const bytes = Buffer.from('col1,col2\n1,2\n');
      const result = await client.filesUploadV2({
        channel_id: 'C0CHAN001',
        thread_ts: '1700000000.000100',
        initial_comment: 'Here is the export',
        file: bytes,
        filename: 'chores.csv',
        title: 'Chores export',
      });

      expect(fake.uploads).toHaveLength(1);
      const upload = fake.uploads[0];
      expect(upload).toMatchObject({
        filename: 'chores.csv',
        channelId: 'C0CHAN001',
        threadTs: '1700000000.000100',
        title: 'Chores export',
        initialComment: 'Here is the export',
        declaredLength: bytes.length,
      });
      expect(upload?.bytes.equals(bytes)).toBe(true);
      expect(fake.callsTo('files.getUploadURLExternal')[0]?.args).toMatchObject({
        filename: 'chores.csv',
        length: String(bytes.length),
      });
      expect(fake.callsTo('files.completeUploadExternal')[0]?.args['files']).toEqual([
        { id: upload?.fileId, title: 'Chores export' },
      ]);

      // filesUploadV2 returns one completeUploadExternal response per completion batch.
      const completion = (result as unknown as { files: Array<{ files: Array<{ id: string; size: number }> }> }).files;
      expect(completion[0]?.files[0]).toMatchObject({ id: upload?.fileId, size: bytes.length });

      const info = await client.files.info({ file: upload?.fileId ?? '' });
      expect(info.file).toMatchObject({ name: 'chores.csv', mimetype: 'text/csv', filetype: 'csv' });
      await expect(fake.waitForUpload((entry) => entry.filename === 'chores.csv')).resolves.toBe(upload);
    });

    it('refuses to complete an upload whose bytes never arrived', async () => {
      const client = createClient(fake);
      const url = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
      await expect(client.files.completeUploadExternal({ files: [{ id: url.file_id ?? '' }] })).rejects.toMatchObject({
        data: { error: 'file_not_found' },
      });
    });

    it('serves url_private only with the bot token, like Slack', async () => {
      const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]);
      const file = fake.addFile({ name: 'receipt.pdf', bytes, user: 'U0ALICE01', channels: ['C0CHAN001'] });
      expect(file).toMatchObject({ name: 'receipt.pdf', mimetype: 'application/pdf', filetype: 'pdf', size: 6 });
      expect(file.url_private).toBe(`${fake.origin}/files-pri/${file.id}/receipt.pdf`);

      const info = await createClient(fake).files.info({ file: file.id });
      expect(info.file?.url_private).toBe(file.url_private);

      const authorized = await fetch(file.url_private, { headers: { Authorization: `Bearer ${fake.botToken}` } });
      expect(authorized.status).toBe(200);
      expect(authorized.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await authorized.arrayBuffer()).equals(bytes)).toBe(true);

      for (const headers of [{}, { Authorization: 'Bearer xoxb-wrong' }]) {
        const anonymous = await fetch(file.url_private_download, { headers });
        expect(anonymous.status).toBe(200);
        expect(anonymous.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await anonymous.text()).toMatch(/^<!DOCTYPE html><html/);
      }
      expect(fake.downloads.map((download) => download.authorized)).toEqual([true, false, false]);
    });

    it('describes shares like Slack: public for C…, private for G… and D…', async () => {
      const file = fake.addFile({
        name: 'people.xlsx',
        bytes: Buffer.from('x'),
        user: 'U0ALICE01',
        channels: ['C0CHAN001', 'G0PRIV001'],
        shares: { DU0ALICE01: '1700000123.000100' },
      });
      const generatedTs = fake.shareTs(file.id, 'C0CHAN001');
      expect(generatedTs).toMatch(/^\d{10}\.\d{6}$/);
      expect(fake.shareTs(file.id, 'G0PRIV001')).not.toBe(generatedTs);
      expect(fake.shareTs(file.id, 'DU0ALICE01')).toBe('1700000123.000100');
      expect(fake.shareTs(file.id, 'C0OTHER01')).toBeUndefined();

      const info = await createClient(fake).files.info({ file: file.id });
      expect(info.file).toMatchObject({
        channels: ['C0CHAN001'],
        groups: ['G0PRIV001'],
        ims: ['DU0ALICE01'],
        is_public: true,
      });
      expect(info.file?.shares).toEqual({
        public: {
          C0CHAN001: [
            expect.objectContaining({
              ts: generatedTs,
              channel_name: 'c0chan001',
              reply_count: 0,
              share_user_id: 'U0ALICE01',
            }),
          ],
        },
        private: {
          G0PRIV001: [expect.objectContaining({ ts: fake.shareTs(file.id, 'G0PRIV001'), reply_count: 0 })],
          DU0ALICE01: [expect.objectContaining({ ts: '1700000123.000100', reply_count: 0 })],
        },
      });

      const unshared = fake.addFile({ name: 'private.csv', bytes: Buffer.from('a') });
      expect(unshared.shares).toBeUndefined();
    });

    it('shares an uploaded file into the channel and thread it was completed to', async () => {
      const client = createClient(fake);
      await client.filesUploadV2({
        channel_id: 'C0CHAN001',
        thread_ts: '1700000000.000100',
        file: Buffer.from('a,b'),
        filename: 'errors.csv',
      });
      const fileId = fake.uploads[0]?.fileId ?? '';
      const info = await client.files.info({ file: fileId });
      expect(info.file?.shares?.public?.['C0CHAN001']?.[0]).toMatchObject({
        ts: fake.shareTs(fileId, 'C0CHAN001'),
        thread_ts: '1700000000.000100',
      });
    });

    it('scripts a failing upload POST', async () => {
      fake.failNext('@upload', { status: 500 });
      await expect(
        createClient(fake).filesUploadV2({ channel_id: 'C0CHAN001', file: Buffer.from('x'), filename: 'x.txt' }),
      ).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });
      expect(fake.uploads).toHaveLength(0);
    });
  });

  describe('response_url', () => {
    it('records JSON posted to a response url', async () => {
      const url = fake.responseUrl('cmd-1');
      expect(url).toBe(`${fake.origin}/response/cmd-1`);
      const waiting = fake.waitForResponse((response) => response.id === 'cmd-1');
      const posted = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', text: 'Done' }),
      });
      expect(posted.status).toBe(200);
      await expect(waiting).resolves.toMatchObject({ id: 'cmd-1', body: { response_type: 'ephemeral', text: 'Done' } });
    });

    it('generates distinct ids and can fail on purpose', async () => {
      expect(fake.responseUrl()).not.toBe(fake.responseUrl());
      fake.failNext('@response', { status: 404, body: 'expired_url' });
      const posted = await fetch(fake.responseUrl(), { method: 'POST', body: '{}' });
      expect(posted.status).toBe(404);
      expect(fake.responses).toHaveLength(0);
    });
  });

  describe('Block Kit limits', () => {
    const plain = (text: string) => ({ type: 'plain_text' as const, text });
    const modal = (blocks: KnownBlock[] = [{ type: 'divider' }]) => ({
      type: 'modal' as const,
      title: plain('Import'),
      blocks,
    });

    it('rejects a message with 51 blocks with invalid_blocks and records the violation', async () => {
      const client = createClient(fake);
      const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' as const }));
      await expect(client.chat.postMessage({ channel: 'C0CHAN001', text: 'x', blocks })).rejects.toMatchObject({
        code: ErrorCode.PlatformError,
        data: { ok: false, error: 'invalid_blocks', errors: ['blocks: 51 blocks (max 50)'] },
      });
      expect(fake.messages).toHaveLength(0);
      expect(fake.violations).toEqual([{ method: 'chat.postMessage', problems: ['blocks: 51 blocks (max 50)'] }]);

      await client.chat.postMessage({ channel: 'C0CHAN001', text: 'fine', blocks: blocks.slice(0, 50) });
      expect(fake.violations).toHaveLength(1);
      fake.reset();
      expect(fake.violations).toEqual([]);
    });

    it('checks chat.update and chat.postEphemeral, answering msg_blocks_too_long and msg_too_long', async () => {
      const client = createClient(fake);
      const posted = await client.chat.postMessage({ channel: 'C0CHAN001', text: 'v1' });
      const big = Array.from({ length: 5 }, () => ({
        type: 'section' as const,
        text: { type: 'mrkdwn' as const, text: 'x'.repeat(2900) },
      }));
      await expect(
        client.chat.update({ channel: 'C0CHAN001', ts: posted.ts ?? '', text: 'v2', blocks: big }),
      ).rejects.toMatchObject({
        data: { error: 'msg_blocks_too_long' },
      });
      expect(fake.findMessage('C0CHAN001', posted.ts ?? '')?.text).toBe('v1');
      await expect(
        client.chat.postEphemeral({ channel: 'C0CHAN001', user: 'U0ALICE01', text: 'y'.repeat(40_001) }),
      ).rejects.toMatchObject({ data: { error: 'msg_too_long', errors: ['text: 40001 characters (max 40000)'] } });
      await expect(
        client.chat.postEphemeral({
          channel: 'C0CHAN001',
          user: 'U0ALICE01',
          text: 'x',
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }],
        }),
      ).rejects.toMatchObject({
        data: { error: 'invalid_blocks', errors: ['blocks[0].text.text: empty (min 1 character)'] },
      });
      expect(fake.violations.map((violation) => violation.method)).toEqual([
        'chat.update',
        'chat.postEphemeral',
        'chat.postEphemeral',
      ]);
    });

    it('rejects invalid views with invalid_arguments and response_metadata.messages', async () => {
      const client = createClient(fake);
      await expect(
        client.views.open({ trigger_id: '1.2.a', view: { ...modal(), title: plain('x'.repeat(25)) } }),
      ).rejects.toMatchObject({
        data: {
          ok: false,
          error: 'invalid_arguments',
          response_metadata: { messages: ['title.text: 25 characters (max 24)'] },
        },
      });
      const input = {
        type: 'input' as const,
        label: plain('Name'),
        element: { type: 'plain_text_input' as const, action_id: 'name' },
      };
      await expect(client.views.open({ trigger_id: '1.2.b', view: modal([input]) })).rejects.toMatchObject({
        data: { response_metadata: { messages: ['submit: missing (required because the view has an input block)'] } },
      });
      await expect(
        client.views.publish({
          user_id: 'U0ALICE01',
          view: { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' as const })) },
        }),
      ).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
      expect(fake.views.size).toBe(0);
      expect(fake.violations.map((violation) => violation.method)).toEqual([
        'views.open',
        'views.open',
        'views.publish',
      ]);
    });

    it('keeps at most 3 views on a modal stack', async () => {
      const client = createClient(fake);
      const opened = await client.views.open({ trigger_id: '1.1.a', view: modal() });
      const root = opened.view?.id ?? '';
      const second = await client.views.push({ trigger_id: '1.1.b', view: modal() });
      expect(second.view).toMatchObject({ root_view_id: root, previous_view_id: root });
      const third = await client.views.push({ trigger_id: '1.1.c', view: modal() });
      await client.views.update({
        view_id: third.view?.id ?? '',
        view: modal([{ type: 'header', text: plain('Step 3') }]),
      });
      expect(fake.viewStack()).toEqual([root, second.view?.id, third.view?.id]);

      await expect(client.views.push({ trigger_id: '1.1.d', view: modal() })).rejects.toMatchObject({
        data: { error: 'push_limit_reached' },
      });
      expect(fake.viewStack(root)).toHaveLength(3);

      fake.closeView(third.view?.id ?? '');
      await expect(client.views.push({ trigger_id: '1.1.e', view: modal() })).resolves.toMatchObject({ ok: true });

      const next = await client.views.open({ trigger_id: '1.1.f', view: modal() });
      expect(fake.viewStack()).toEqual([next.view?.id]);
      expect(fake.violations).toEqual([]);
    });

    it('answers HTTP 400 to a response_url POST with invalid blocks and records it', async () => {
      const posted = await fetch(fake.responseUrl('cmd-2'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'Hi' } }] }),
      });
      expect(posted.status).toBe(400);
      expect(fake.responses).toHaveLength(0);
      expect(fake.violations).toEqual([
        { method: '@response', problems: ["blocks[0].text.type: 'mrkdwn' (must be 'plain_text')"] },
      ]);
    });
  });

  describe('conversations.info and tokens', () => {
    it('answers conversations.info with membership and channel kind', async () => {
      const client = createClient(fake);
      fake.setNotMember('G0PRIV001');
      const publicChannel = await client.conversations.info({ channel: 'C0CHAN001' });
      expect(publicChannel.channel).toMatchObject({
        id: 'C0CHAN001',
        is_member: true,
        is_im: false,
        is_private: false,
      });
      const privateChannel = await client.conversations.info({ channel: 'G0PRIV001' });
      expect(privateChannel.channel).toMatchObject({
        id: 'G0PRIV001',
        is_member: false,
        is_im: false,
        is_private: true,
      });
      const dm = await client.conversations.info({ channel: 'DU0ALICE01' });
      expect(dm.channel).toMatchObject({ id: 'DU0ALICE01', is_member: true, is_im: true, is_private: false });
    });

    it('accepts an app-level token for apps.connections.open only', async () => {
      const withApp = await startFakeSlackApi({ appToken: 'xapp-test-token' });
      try {
        withApp.setHandler('apps.connections.open', () => ({ ok: true, url: 'ws://127.0.0.1:1/link' }));
        const appClient = createClient(withApp, 'xapp-test-token');
        await expect(appClient.apps.connections.open()).resolves.toMatchObject({
          ok: true,
          url: 'ws://127.0.0.1:1/link',
        });
        await expect(appClient.auth.test()).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
        await expect(createClient(withApp).apps.connections.open()).rejects.toMatchObject({
          data: { error: 'not_allowed_token_type' },
        });
        await expect(createClient(withApp).auth.test()).resolves.toMatchObject({ ok: true });
        expect(withApp.appToken).toBe('xapp-test-token');
      } finally {
        await withApp.close();
      }
    });
  });

  it('lets a test serve extra methods', async () => {
    fake.setHandler('conversations.info', (args) => ({ ok: true, channel: { id: args['channel'], is_im: false } }));
    const info = await createClient(fake).conversations.info({ channel: 'C0CHAN001' });
    expect(info.channel).toMatchObject({ id: 'C0CHAN001' });
  });
});
