// Files on Slack: downloading an uploaded spreadsheet (only ever with the bot token: without it Slack
// answers 200 with an HTML login page), uploading result files, and the direct-message channel of a user.
import type { WebClient } from '@slack/web-api';
import { FileUnavailableError } from '../usecases/import-lifecycle.ts';

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
  if (info.size > maxBytes) {
    throw new FileUnavailableError(
      `The file is ${formatMegabytes(info.size)}; at most ${formatMegabytes(maxBytes)} can be imported.`,
    );
  }
  if (!info.downloadUrl) throw new FileUnavailableError('Slack gave no download address for the file.');
  const response = await fetch(info.downloadUrl, {
    headers: { Authorization: `Bearer ${botToken}` },
    signal: AbortSignal.timeout(60_000),
    redirect: 'follow',
  });
  if (!response.ok) {
    if (response.status >= 500) throw new Error(`Slack answered ${response.status} to the file download`);
    throw new FileUnavailableError(`Slack refused the download of the file (HTTP ${response.status}).`);
  }
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.startsWith('text/html')) {
    // Slack's answer to a download it does not authorise is a login page with status 200.
    throw new FileUnavailableError('Slack did not hand over the file: the app may not be allowed to read it.');
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > maxBytes)
    throw new FileUnavailableError(
      `The file is ${formatMegabytes(bytes.length)}; at most ${formatMegabytes(maxBytes)} can be imported.`,
    );
  return bytes;
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
