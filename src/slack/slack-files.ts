// Files on Slack: downloading an uploaded spreadsheet (only ever with the bot token: without it Slack
// answers 200 with an HTML login page; and so only ever from Slack's own file host, never where a file's
// address or a redirect points elsewhere), uploading result files, and the direct-message channel of a user.
import type { WebClient } from '@slack/web-api';
import { FileUnavailableError } from '../usecases/import-lifecycle.ts';
import type { ImportFiles } from '../usecases/import-files.ts';

export interface SlackFileInfo {
  id: string;
  name: string;
  size: number;
  userId: string | undefined;
  downloadUrl: string | undefined;
  /** The ts of the message that shared the file in each channel (threads hang from it). */
  shareTs: Record<string, string>;
}

export async function getSlackFileInfo(client: WebClient, fileId: string): Promise<SlackFileInfo> {
  const response = await client.files.info({ file: fileId });
  const file = response.file;
  if (!file?.id) throw new FileUnavailableError('Slack did not find the file: it may have been deleted.');
  const shareTs: Record<string, string> = {};
  const shares = (file as { shares?: Record<string, Record<string, Array<{ ts?: string }>>> }).shares ?? {};
  for (const kind of Object.values(shares)) {
    for (const [channel, list] of Object.entries(kind)) {
      const ts = list[0]?.ts;
      if (ts && !shareTs[channel]) shareTs[channel] = ts;
    }
  }
  return {
    id: file.id,
    name: file.name ?? file.title ?? 'spreadsheet',
    size: file.size ?? 0,
    userId: file.user,
    downloadUrl: file.url_private_download ?? file.url_private,
    shareTs,
  };
}

// Slack's file hosts: commercial Slack, and GovSlack, which runs on its own domain (slack-gov.com).
const SLACK_FILE_HOSTS = new Set(['files.slack.com', 'files.slack-gov.com']);
// url_private answers directly; a redirect or two (a CDN, a regional host) is tolerated, a chain is not.
const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * Whether the bot token may be sent to this address: Slack's file host over https, or the origin the app already
 * sends its token to (SLACK_API_URL: a GovSlack or proxy deployment, the tests' fake Slack on loopback).
 */
export function mayReceiveBotToken(url: URL, apiUrl: string): boolean {
  if (url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:' && url.port === '' && SLACK_FILE_HOSTS.has(url.hostname)) return true;
  return url.origin === new URL(apiUrl).origin;
}

/** The ImportFiles port (src/usecases/import-files.ts) on Slack. */
export function createSlackImportFiles(client: WebClient, botToken: string): ImportFiles {
  return { download: (fileId, maxBytes) => downloadSlackFile(client, botToken, fileId, maxBytes) };
}

export async function downloadSlackFile(
  client: WebClient,
  botToken: string,
  fileId: string,
  maxBytes: number,
): Promise<Uint8Array> {
  let info: SlackFileInfo;
  try {
    info = await getSlackFileInfo(client, fileId);
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code === 'file_not_found' || code === 'file_deleted')
      throw new FileUnavailableError('Slack did not find the file: it may have been deleted.');
    throw error;
  }
  if (info.size > maxBytes) throw fileTooLarge(`is ${formatMegabytes(info.size)}`, maxBytes);
  if (!info.downloadUrl) throw new FileUnavailableError('Slack gave no download address for the file.');
  const response = await fetchWithBotToken(info.downloadUrl, client.slackApiUrl, botToken);
  if (!response.ok) {
    await response.body?.cancel();
    if (response.status >= 500) throw new Error(`Slack answered ${response.status} to the file download`);
    throw new FileUnavailableError(`Slack refused the download of the file (HTTP ${response.status}).`);
  }
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.startsWith('text/html')) {
    await response.body?.cancel();
    // Slack's answer to a download it does not authorise is a login page with status 200.
    throw new FileUnavailableError('Slack did not hand over the file: the app may not be allowed to read it.');
  }
  return readAtMost(response, maxBytes);
}

/**
 * GET with the bot token, following redirects by hand: fetch's own redirect handling would decide on its own
 * where the token goes next, so every hop is checked like the first (mayReceiveBotToken) before it is sent.
 */
async function fetchWithBotToken(address: string, apiUrl: string, botToken: string): Promise<Response> {
  const signal = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
  let url = parseDownloadUrl(address);
  for (let redirects = 0; ; redirects++) {
    if (!mayReceiveBotToken(url, apiUrl)) {
      throw new FileUnavailableError(
        `${redirects === 0 ? 'Slack gave a download address' : 'The download was redirected'} outside Slack ` +
          `(${url.protocol}//${url.host}): the file was not downloaded, and the app's token was not sent there.`,
      );
    }
    const response = await fetch(url, {
      headers: { Authorization: `Bearer ${botToken}` },
      signal,
      redirect: 'manual',
    });
    if (!REDIRECT_STATUSES.has(response.status)) return response;
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (location === null) throw new Error(`Slack answered ${response.status} to the file download, with no address`);
    if (redirects >= MAX_REDIRECTS)
      throw new FileUnavailableError(`Slack redirected the download more than ${MAX_REDIRECTS} times.`);
    url = parseDownloadUrl(location, url);
  }
}

function parseDownloadUrl(address: string, base?: URL): URL {
  try {
    return new URL(address, base);
  } catch {
    throw new FileUnavailableError('Slack gave a download address that is not a valid URL.');
  }
}

/** The body, refused as soon as it is known to be too large: by its declared length, else while it arrives. */
async function readAtMost(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw fileTooLarge(`is ${formatMegabytes(declared)}`, maxBytes);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      // Cancelling the stream closes the connection: the rest of the file is never transferred.
      await reader.cancel();
      throw fileTooLarge(`is over ${formatMegabytes(maxBytes)}`, maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function fileTooLarge(size: string, maxBytes: number): FileUnavailableError {
  return new FileUnavailableError(`The file ${size}; at most ${formatMegabytes(maxBytes)} can be imported.`);
}

export function formatMegabytes(bytes: number): string {
  const megabytes = bytes / (1024 * 1024);
  return `${megabytes >= 10 ? Math.round(megabytes) : Math.round(megabytes * 10) / 10} MB`;
}

export async function openDirectMessage(client: WebClient, userId: string): Promise<string> {
  const response = await client.conversations.open({ users: userId });
  const id = response.channel?.id;
  if (!id) throw new Error('conversations.open returned no channel');
  return id;
}

export async function uploadFile(
  client: WebClient,
  input: { channelId: string; threadTs?: string | null | undefined; fileName: string; bytes: Buffer; title?: string },
): Promise<void> {
  const common = { file: input.bytes, filename: input.fileName, title: input.title ?? input.fileName };
  await client.filesUploadV2(
    input.threadTs
      ? { ...common, channel_id: input.channelId, thread_ts: input.threadTs }
      : { ...common, channel_id: input.channelId },
  );
}
