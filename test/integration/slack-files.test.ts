// Downloading an uploaded spreadsheet with the bot token: the token goes only to Slack's file host (or the
// configured SLACK_API_URL's origin), on the first request and on every redirect, and a file over the size
// limit is refused before it is read, or the moment it passes the limit, with the rest never transferred.
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, toSlackLogger } from '../../src/logger.ts';
import { slackClientOptions } from '../../src/slack/client-options.ts';
import { downloadSlackFile, mayReceiveBotToken } from '../../src/slack/slack-files.ts';
import { FileUnavailableError } from '../../src/usecases/import-lifecycle.ts';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';
import { waitFor } from '../support/wait-for.ts';

const quiet = createLogger({ level: 'error', write: () => undefined });
const MEGABYTE = 1024 * 1024;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(): Promise<{ api: FakeSlackApi; client: WebClient }> {
  const api = await startFakeSlackApi();
  cleanups.push(() => api.close());
  return { api, client: new WebClient(api.botToken, slackClientOptions(api.url, toSlackLogger(quiet, 'error'))) };
}

/** Another host on loopback (another origin): records what reaches it, and serves bytes to anyone. */
async function startForeignHost(): Promise<{ origin: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end('not the spreadsheet');
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** files.info answers with this file object instead of the stored one (Slack's answer, as a test wants it). */
function answerFileInfo(api: FakeSlackApi, file: Record<string, unknown>): void {
  api.setHandler('files.info', () => ({ ok: true, file }));
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FileUnavailableError);
  return (error as Error).message;
}

describe('which addresses get the bot token', () => {
  const apiUrl = 'https://slack.com/api/';
  it.each([
    ['https://files.slack.com/files-pri/T0-F0/users.xlsx', true],
    ['https://files.slack-gov.com/files-pri/T0-F0/users.xlsx', true],
    ['https://slack.com/files-pri/T0-F0/users.xlsx', true],
    ['http://files.slack.com/files-pri/T0-F0/users.xlsx', false],
    ['https://files.slack.com:8443/files-pri/T0-F0/users.xlsx', false],
    ['https://files.slack.com.attacker.example/users.xlsx', false],
    ['https://attacker.example/files.slack.com/users.xlsx', false],
    ['https://user:pass@files.slack.com/files-pri/T0-F0/users.xlsx', false],
    ['https://slack-files.com/files-pri/T0-F0/users.xlsx', false],
  ])('%s → %s', (address, allowed) => {
    expect(mayReceiveBotToken(new URL(address), apiUrl)).toBe(allowed);
  });

  it('include the origin of SLACK_API_URL (GovSlack, a proxy, the fake Slack of the tests), and only that', () => {
    expect(mayReceiveBotToken(new URL('http://127.0.0.1:4100/files-pri/F1/a.xlsx'), 'http://127.0.0.1:4100/api/')).toBe(
      true,
    );
    expect(mayReceiveBotToken(new URL('http://127.0.0.1:4101/files-pri/F1/a.xlsx'), 'http://127.0.0.1:4100/api/')).toBe(
      false,
    );
  });
});

describe('downloading a spreadsheet from Slack', () => {
  it('downloads from the file address Slack gives, with the token', async () => {
    const { api, client } = await setUp();
    const file = api.addFile({ name: 'users.csv', bytes: Buffer.from('Vendor,Name,Email\n') });
    const bytes = await downloadSlackFile(client, api.botToken, file.id, MEGABYTE);
    expect(Buffer.from(bytes).toString()).toBe('Vendor,Name,Email\n');
    expect(api.downloads).toEqual([expect.objectContaining({ fileId: file.id, authorized: true })]);
  });

  it('refuses a file address on another host without sending the token there', async () => {
    const { api, client } = await setUp();
    const foreign = await startForeignHost();
    const file = api.addFile({ name: 'users.csv', bytes: Buffer.from('Vendor,Name,Email\n') });
    answerFileInfo(api, { ...file, url_private_download: `${foreign.origin}/files-pri/${file.id}/users.csv` });
    const message = await refusal(downloadSlackFile(client, api.botToken, file.id, MEGABYTE));
    expect(message).toContain(`outside Slack (${foreign.origin})`);
    expect(message).toContain('token was not sent');
    expect(foreign.requests).toEqual([]);
  });

  it('follows a redirect within Slack with the token, and refuses one to another host', async () => {
    const { api, client } = await setUp();
    const foreign = await startForeignHost();
    const file = api.addFile({ name: 'users.csv', bytes: Buffer.from('Vendor,Name,Email\n') });
    api.failNext('@download', { status: 302, headers: { location: file.url_private_download } });
    expect(Buffer.from(await downloadSlackFile(client, api.botToken, file.id, MEGABYTE)).toString()).toBe(
      'Vendor,Name,Email\n',
    );
    expect(api.downloads.map((download) => download.authorized)).toEqual([true, true]);

    api.failNext('@download', { status: 307, headers: { location: `${foreign.origin}/elsewhere/users.csv` } });
    const message = await refusal(downloadSlackFile(client, api.botToken, file.id, MEGABYTE));
    expect(message).toContain(`redirected outside Slack (${foreign.origin})`);
    expect(foreign.requests).toEqual([]);
  });

  it('gives up after a few redirects', async () => {
    const { api, client } = await setUp();
    const file = api.addFile({ name: 'users.csv', bytes: Buffer.from('Vendor,Name,Email\n') });
    api.failNext('@download', { status: 302, headers: { location: file.url_private_download } }, 10);
    expect(await refusal(downloadSlackFile(client, api.botToken, file.id, MEGABYTE))).toContain(
      'redirected the download more than 3 times',
    );
    expect(api.downloads).toHaveLength(4);
  });

  it('refuses a file whose declared length is over the limit without reading it', async () => {
    const { api, client } = await setUp();
    const file = api.addFile({ name: 'users.csv', bytes: Buffer.alloc(32 * MEGABYTE, 0x61) });
    // files.info may not know the size yet (Slack's malware scan): the download's Content-Length is checked too.
    answerFileInfo(api, { ...file, size: 0 });
    expect(await refusal(downloadSlackFile(client, api.botToken, file.id, MEGABYTE))).toBe(
      'The file is 32 MB; at most 1 MB can be imported.',
    );
    await waitFor(() => api.downloads[0]?.outcome !== 'sending', { description: 'the download to end' });
    expect(api.downloads[0]?.outcome).toBe('aborted');
  });

  it('stops a download without a declared length the moment it passes the limit', async () => {
    const { api, client } = await setUp();
    const file = api.addFile({ name: 'users.csv', bytes: Buffer.alloc(32 * MEGABYTE, 0x61), chunked: true });
    answerFileInfo(api, { ...file, size: 0 });
    expect(await refusal(downloadSlackFile(client, api.botToken, file.id, MEGABYTE))).toBe(
      'The file is over 1 MB; at most 1 MB can be imported.',
    );
    await waitFor(() => api.downloads[0]?.outcome !== 'sending', { description: 'the download to end' });
    expect(api.downloads[0]?.outcome).toBe('aborted');
  });

  it('still takes a file just under the limit sent without a declared length', async () => {
    const { api, client } = await setUp();
    const file = api.addFile({ name: 'users.csv', bytes: Buffer.alloc(MEGABYTE, 0x61), chunked: true });
    expect((await downloadSlackFile(client, api.botToken, file.id, MEGABYTE)).byteLength).toBe(MEGABYTE);
    await waitFor(() => api.downloads[0]?.outcome !== 'sending', { description: 'the download to end' });
    expect(api.downloads[0]?.outcome).toBe('completed');
  });
});
