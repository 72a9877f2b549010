import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MSG_BLOCKS_TOO_LONG, checkMessage, checkView } from './block-kit-limits.ts';

// Re-exported so tests can check the views the app acks a view_submission with (`response_action: 'update' | 'push'`),
// which travel in the HTTP response to the caller and never reach this fake.
export { checkMessage, checkView } from './block-kit-limits.ts';

export type FakeSlackUser = {
  tz?: string;
  real_name?: string;
  is_bot?: boolean;
  name?: string;
  email?: string;
  deleted?: boolean;
};

export type FakeSlackApiOptions = {
  /** Token the fake accepts for API calls and url_private downloads. Default 'xoxb-test-token'. */
  botToken?: string;
  /**
   * App-level token (`xapp-…`, Socket Mode). Accepted for `apps.connections.open` only; other methods answer
   * `not_allowed_token_type` for it, and `apps.connections.open` then refuses the bot token the same way.
   * Serve the method with `setHandler('apps.connections.open', () => ({ ok: true, url }))`.
   */
  appToken?: string;
  botUserId?: string;
  /**
   * When given, users.info answers `user_not_found` for ids not in the map.
   * When omitted, every id resolves to a generic user in tz 'UTC'.
   */
  users?: Record<string, FakeSlackUser>;
};

export type BodyEncoding = 'form' | 'json' | 'multipart' | 'none';

export type SlackApiCall = {
  method: string;
  /** Parsed arguments; JSON-stringified non-scalars (blocks, view, files…) are parsed back. `token` is moved to `token`. */
  args: Record<string, unknown>;
  /** Bearer token from the Authorization header, else the `token` body argument. */
  token: string | undefined;
  at: number;
  encoding: BodyEncoding;
  /** HTTP status the fake answered with. */
  status: number;
  /** Body the fake answered with. */
  response: unknown;
};

export type ScriptedResponse = {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON, strings verbatim. Defaults to an `{ ok: false }` body fitting the status. */
  body?: unknown;
};

export type SlackFileObject = {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  user_team: string;
  mode: 'hosted';
  editable: boolean;
  is_external: boolean;
  is_public: boolean;
  size: number;
  url_private: string;
  url_private_download: string;
  permalink: string;
  channels: string[];
  groups: string[];
  ims: string[];
  /** Present when the file is shared anywhere: `public` holds C… channels, `private` G… and D… ones. */
  shares?: SlackFileShares;
};

export type SlackFileShare = {
  ts: string;
  channel_name: string;
  team_id: string;
  share_user_id: string;
  source: 'UPLOAD';
  reply_users: string[];
  reply_users_count: number;
  reply_count: number;
  thread_ts?: string;
};

export type SlackFileShares = {
  public?: Record<string, SlackFileShare[]>;
  private?: Record<string, SlackFileShare[]>;
};

export type AddFileInput = {
  id?: string;
  name: string;
  title?: string;
  filetype?: string;
  mimetype?: string;
  bytes: Buffer;
  user?: string;
  channels?: string[];
  /**
   * Message ts of the share per channel. Channels listed in `channels` but not here get a ts from the fake's
   * ts sequence, as if the upload had posted a message; channels only listed here are shared too.
   */
  shares?: Record<string, string>;
  /** Thread the shares were posted into (recorded as `thread_ts` on each share). */
  threadTs?: string;
  /** Serve url_private downloads without Content-Length, in 64 KiB chunks sent as the client reads them. */
  chunked?: boolean;
};

export type CompletedUpload = {
  fileId: string;
  filename: string;
  bytes: Buffer;
  /** `length` the client declared to files.getUploadURLExternal. */
  declaredLength: number | undefined;
  channelId?: string;
  threadTs?: string;
  title?: string;
  initialComment?: string;
  blocks?: unknown;
};

export type RecordedResponse = {
  id: string;
  body: unknown;
  contentType: string | undefined;
  at: number;
};

export type FileDownload = {
  fileId: string;
  authorized: boolean;
  at: number;
  /** 'aborted': the client closed the connection before the whole body was sent. */
  outcome: 'sending' | 'completed' | 'aborted';
};

export type FakeMessage = {
  type: 'message';
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown;
  attachments?: unknown;
  metadata?: unknown;
  thread_ts?: string;
  user: string;
  bot_id: string;
  app_id: string;
  edited?: { user: string; ts: string };
  deleted: boolean;
};

export type Violation = {
  /** API method, or '@response' for a response_url POST. */
  method: string;
  problems: string[];
};

export type SlackMethodHandler = (
  args: Record<string, unknown>,
  call: { token: string | undefined },
) => Record<string, unknown>;

export type FakeSlackApi = {
  /** `http://127.0.0.1:<port>/api/` — the app's SLACK_API_URL / WebClient `slackApiUrl`. */
  url: string;
  origin: string;
  botToken: string;
  /** The `appToken` option, if given. */
  appToken: string | undefined;
  botUserId: string;
  botId: string;
  teamId: string;
  appId: string;
  calls: SlackApiCall[];
  callsTo(method: string): SlackApiCall[];
  waitForCall(method: string, predicate?: (call: SlackApiCall) => boolean, timeoutMs?: number): Promise<SlackApiCall>;
  waitForCalls(
    method: string,
    count: number,
    predicate?: (call: SlackApiCall) => boolean,
    timeoutMs?: number,
  ): Promise<SlackApiCall[]>;
  /**
   * Answers the next `times` calls to `method` with `response` instead of serving them.
   * Besides API method names, '@upload' targets upload_url POSTs, '@response' response_url POSTs and '@download'
   * url_private downloads (e.g. `{ status: 302, headers: { location } }`; recorded in `downloads` all the same).
   */
  failNext(method: string, response: ScriptedResponse, times?: number): void;
  /** Serves (or overrides) a method with a custom handler returning the JSON body. */
  setHandler(method: string, handler: SlackMethodHandler): void;
  setUser(id: string, user: FakeSlackUser): void;
  setUsergroup(id: string, users: string[]): void;
  /** conversations.info answers `is_member: false` for this channel from now on. */
  setNotMember(channelId: string): void;
  addFile(input: AddFileInput): SlackFileObject;
  /** Message ts of a file's share in a channel, if shared there. */
  shareTs(fileId: string, channel: string): string | undefined;
  /**
   * Payloads Slack would reject for breaking Block Kit / view limits, in arrival order (see block-kit-limits.ts).
   * chat.postMessage/update/postEphemeral answer `invalid_blocks` (or `msg_blocks_too_long` / `msg_too_long`),
   * views.open/push/update/publish `invalid_arguments`, response_url POSTs HTTP 400. End tests with
   * `expect(api.violations).toEqual([])`.
   */
  violations: Violation[];
  /** Messages posted/updated through chat.postMessage/chat.update, in posting order. */
  messages: FakeMessage[];
  findMessage(channel: string, ts: string): FakeMessage | undefined;
  /** Views by id, as last opened/pushed/updated/published. */
  views: Map<string, Record<string, unknown>>;
  /**
   * View ids on a modal's stack, bottom first: views.open starts a stack, views.push adds to the stack of the
   * most recently opened modal (`push_limit_reached` past 3 views), views.update keeps it. Defaults to that
   * most recent modal.
   */
  viewStack(rootViewId?: string): string[];
  /**
   * Tells the fake a view was closed (e.g. after a view_submission the app answered without response_action):
   * removes it and the views above it from its stack; closing the root forgets the stack.
   */
  closeView(viewId: string): void;
  uploads: CompletedUpload[];
  waitForUpload(predicate?: (upload: CompletedUpload) => boolean, timeoutMs?: number): Promise<CompletedUpload>;
  downloads: FileDownload[];
  responseUrl(id?: string): string;
  responses: RecordedResponse[];
  waitForResponse(predicate?: (response: RecordedResponse) => boolean, timeoutMs?: number): Promise<RecordedResponse>;
  /** Clears recorded calls, responses, uploads, downloads, messages, violations and scripted failures; keeps users, usergroups, files, views, view stacks and handlers. */
  reset(): void;
  close(): Promise<void>;
};

const TEAM_ID = 'T0TEAM001';
const TEAM_DOMAIN = 'domum-test';
const BOT_ID = 'B0BOT0001';
const APP_ID = 'A0APP0001';
const BASE_TS_SECONDS = 1_700_000_000;
/** A modal holds at most 3 views: the opened one plus 2 pushed. */
const MAX_VIEW_STACK = 3;

const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);
const VIEW_METHODS = new Set(['views.open', 'views.push', 'views.update', 'views.publish']);

// Free text that merely looks like JSON must stay a string.
const TEXT_ARGS = new Set([
  'text',
  'markdown_text',
  'initial_comment',
  'title',
  'alt_text',
  'filename',
  'content',
  'query',
  'name',
  'private_metadata',
]);

const EXTENSION_TYPES: Record<string, { mimetype: string; filetype: string; pretty: string }> = {
  pdf: { mimetype: 'application/pdf', filetype: 'pdf', pretty: 'PDF' },
  png: { mimetype: 'image/png', filetype: 'png', pretty: 'PNG' },
  jpg: { mimetype: 'image/jpeg', filetype: 'jpg', pretty: 'JPEG' },
  jpeg: { mimetype: 'image/jpeg', filetype: 'jpg', pretty: 'JPEG' },
  gif: { mimetype: 'image/gif', filetype: 'gif', pretty: 'GIF' },
  csv: { mimetype: 'text/csv', filetype: 'csv', pretty: 'CSV' },
  txt: { mimetype: 'text/plain', filetype: 'text', pretty: 'Plain Text' },
  json: { mimetype: 'application/json', filetype: 'json', pretty: 'JSON' },
  ics: { mimetype: 'text/calendar', filetype: 'ics', pretty: 'iCalendar' },
  zip: { mimetype: 'application/zip', filetype: 'zip', pretty: 'Zip' },
  xlsx: {
    mimetype: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filetype: 'xlsx',
    pretty: 'Excel Spreadsheet',
  },
  xls: { mimetype: 'application/vnd.ms-excel', filetype: 'xls', pretty: 'Excel Spreadsheet' },
  docx: {
    mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    filetype: 'docx',
    pretty: 'Word Document',
  },
};

const SLACK_LOGIN_PAGE = `<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8"><title>Slack</title></head><body><div id="page"><h1>Sign in to ${TEAM_DOMAIN}</h1><form id="signin_form" action="/" method="post"><input type="email" name="email"><input type="password" name="password"><button type="submit">Sign in</button></form></div></body></html>`;

type PendingUpload = {
  filename: string;
  declaredLength: number | undefined;
  bytes: Buffer | undefined;
};

type StoredFile = { file: SlackFileObject; bytes: Buffer; chunked: boolean };

const DOWNLOAD_CHUNK_BYTES = 64 * 1024;

type ScriptedFailure = { response: ScriptedResponse; remaining: number };

export async function startFakeSlackApi(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const botToken = options.botToken ?? 'xoxb-test-token';
  const appToken = options.appToken;
  const botUserId = options.botUserId ?? 'U0BOT0001';
  const strictUsers = options.users !== undefined;
  const users = new Map<string, FakeSlackUser>(Object.entries(options.users ?? {}));
  const usergroups = new Map<string, string[]>();
  const files = new Map<string, StoredFile>();
  const pendingUploads = new Map<string, PendingUpload>();
  const views = new Map<string, Record<string, unknown>>();
  const homeViewIdByUser = new Map<string, string>();
  const viewStacks = new Map<string, string[]>();
  let currentRootViewId: string | undefined;
  const notMemberChannels = new Set<string>();
  const violations: Violation[] = [];
  const messages: FakeMessage[] = [];
  const calls: SlackApiCall[] = [];
  const uploads: CompletedUpload[] = [];
  const downloads: FileDownload[] = [];
  const responses: RecordedResponse[] = [];
  const failures = new Map<string, ScriptedFailure[]>();
  const customHandlers = new Map<string, SlackMethodHandler>();
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  const cancelWaiters = new Set<(error: Error) => void>();

  let tsSequence = 0;
  let fileSequence = 0;
  let viewSequence = 0;
  let hashSequence = 0;
  let responseSequence = 0;

  const server = http.createServer((req, res) => {
    routeRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendText(res, 500, `fake slack api crashed: ${String(error)}`);
      else res.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  function nextTs(): string {
    tsSequence += 1;
    const micros = tsSequence * 100;
    const seconds = BASE_TS_SECONDS + Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  function nextHash(): string {
    hashSequence += 1;
    return `${BASE_TS_SECONDS}.${String(hashSequence).padStart(8, '0')}`;
  }

  function notifyChange(): void {
    changes.emit('change');
  }

  function waitUntil<T>(probe: () => T | undefined, timeoutMs: number, describeFailure: () => string): Promise<T> {
    const immediate = probe();
    if (immediate !== undefined) return Promise.resolve(immediate);
    return new Promise<T>((resolve, reject) => {
      const onChange = (): void => {
        const value = probe();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const cancel = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const timer = setTimeout(() => cancel(new Error(describeFailure())), timeoutMs);
      function cleanup(): void {
        clearTimeout(timer);
        changes.off('change', onChange);
        cancelWaiters.delete(cancel);
      }
      changes.on('change', onChange);
      cancelWaiters.add(cancel);
    });
  }

  function matchesSafely<T>(predicate: ((value: T) => boolean) | undefined, value: T): boolean {
    if (!predicate) return true;
    try {
      return predicate(value);
    } catch {
      return false;
    }
  }

  function takeScriptedFailure(key: string): ScriptedResponse | undefined {
    const queue = failures.get(key);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.response;
  }

  function addFile(input: AddFileInput): SlackFileObject {
    fileSequence += 1;
    const id = input.id ?? `F${String(fileSequence).padStart(8, '0')}`;
    const detected = detectType(input.name);
    const created = Math.floor(Date.now() / 1000);
    const shareTsByChannel = new Map<string, string>();
    for (const channel of input.channels ?? []) {
      if (!shareTsByChannel.has(channel)) shareTsByChannel.set(channel, input.shares?.[channel] ?? nextTs());
    }
    for (const [channel, ts] of Object.entries(input.shares ?? {})) {
      if (!shareTsByChannel.has(channel)) shareTsByChannel.set(channel, ts);
    }
    const channels = [...shareTsByChannel.keys()];
    const shares = describeShares(shareTsByChannel, input.user ?? botUserId, input.threadTs);
    const downloadUrl = `${origin}/files-pri/${id}/${encodeURIComponent(input.name)}`;
    const file: SlackFileObject = {
      id,
      created,
      timestamp: created,
      name: input.name,
      title: input.title ?? input.name,
      mimetype: input.mimetype ?? detected.mimetype,
      filetype: input.filetype ?? detected.filetype,
      pretty_type: detected.pretty,
      user: input.user ?? botUserId,
      user_team: TEAM_ID,
      mode: 'hosted',
      editable: false,
      is_external: false,
      is_public: channels.some((channel) => channel.startsWith('C')),
      size: input.bytes.length,
      url_private: downloadUrl,
      url_private_download: downloadUrl,
      permalink: `https://${TEAM_DOMAIN}.slack.com/files/${input.user ?? botUserId}/${id}/${encodeURIComponent(input.name)}`,
      channels: channels.filter((channel) => channel.startsWith('C')),
      groups: channels.filter((channel) => channel.startsWith('G')),
      ims: channels.filter((channel) => channel.startsWith('D')),
      ...(shares ? { shares } : {}),
    };
    files.set(id, { file, bytes: Buffer.from(input.bytes), chunked: input.chunked ?? false });
    return structuredClone(file);
  }

  function describeShares(
    shareTsByChannel: Map<string, string>,
    sharedBy: string,
    threadTs: string | undefined,
  ): SlackFileShares | undefined {
    if (shareTsByChannel.size === 0) return undefined;
    const shares: SlackFileShares = {};
    for (const [channel, ts] of shareTsByChannel) {
      const visibility = channel.startsWith('C') ? 'public' : 'private';
      const entry: SlackFileShare = {
        reply_users: [],
        reply_users_count: 0,
        reply_count: 0,
        ts,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        channel_name: channel.startsWith('D') ? 'directmessage' : channel.toLowerCase(),
        team_id: TEAM_ID,
        share_user_id: sharedBy,
        source: 'UPLOAD',
      };
      const byChannel = (shares[visibility] ??= {});
      (byChannel[channel] ??= []).push(entry);
    }
    return shares;
  }

  function shareTs(fileId: string, channel: string): string | undefined {
    const shares = files.get(fileId)?.file.shares;
    return (shares?.public?.[channel] ?? shares?.private?.[channel])?.[0]?.ts;
  }

  function describeUser(id: string): Record<string, unknown> | undefined {
    const known = users.get(id);
    if (!known && strictUsers && id !== botUserId) return undefined;
    const isBot = known?.is_bot ?? id === botUserId;
    const tz = known?.tz ?? 'UTC';
    const name = known?.name ?? (id === botUserId ? 'domum' : id.toLowerCase());
    const realName = known?.real_name ?? (id === botUserId ? 'Domum' : `User ${id}`);
    const { offsetSeconds, label } = describeTimeZone(tz);
    return {
      id,
      team_id: TEAM_ID,
      name,
      deleted: known?.deleted ?? false,
      real_name: realName,
      tz,
      tz_label: label,
      tz_offset: offsetSeconds,
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: isBot,
      is_app_user: false,
      updated: BASE_TS_SECONDS,
      profile: {
        real_name: realName,
        real_name_normalized: realName,
        display_name: name,
        display_name_normalized: name,
        ...(known?.email ? { email: known.email } : {}),
        ...(isBot ? { bot_id: id === botUserId ? BOT_ID : `B${id}` } : {}),
        team: TEAM_ID,
      },
    };
  }

  function dmChannelFor(user: string): string {
    return `D${user}`;
  }

  function storeView(
    view: Record<string, unknown>,
    base: { id: string; rootViewId: string; previousViewId: string | null },
  ): Record<string, unknown> {
    const stored: Record<string, unknown> = {
      team_id: TEAM_ID,
      type: view['type'],
      blocks: [],
      private_metadata: '',
      callback_id: '',
      external_id: '',
      clear_on_close: false,
      notify_on_close: false,
      ...view,
      id: base.id,
      state: { values: {} },
      hash: nextHash(),
      root_view_id: base.rootViewId,
      previous_view_id: base.previousViewId,
      app_id: APP_ID,
      app_installed_team_id: TEAM_ID,
      bot_id: BOT_ID,
    };
    views.set(base.id, stored);
    return structuredClone(stored);
  }

  function newViewId(): string {
    viewSequence += 1;
    return `V${String(viewSequence).padStart(7, '0')}`;
  }

  function messageFrom(args: Record<string, unknown>, channel: string, ts: string): FakeMessage {
    return {
      type: 'message',
      channel,
      ts,
      user: botUserId,
      bot_id: BOT_ID,
      app_id: APP_ID,
      deleted: false,
      ...(typeof args['text'] === 'string' ? { text: args['text'] } : {}),
      ...(args['blocks'] !== undefined ? { blocks: args['blocks'] } : {}),
      ...(args['attachments'] !== undefined ? { attachments: args['attachments'] } : {}),
      ...(args['metadata'] !== undefined ? { metadata: args['metadata'] } : {}),
      ...(typeof args['thread_ts'] === 'string' ? { thread_ts: args['thread_ts'] } : {}),
    };
  }

  function findMessage(channel: string, ts: string): FakeMessage | undefined {
    return messages.find((message) => message.channel === channel && message.ts === ts);
  }

  function publicMessage(message: FakeMessage): Record<string, unknown> {
    const { channel: _channel, deleted: _deleted, ...rest } = message;
    return structuredClone(rest);
  }

  const builtInHandlers: Record<string, SlackMethodHandler> = {
    'api.test': (args) => ({ ok: true, args }),

    'auth.test': () => ({
      ok: true,
      url: `https://${TEAM_DOMAIN}.slack.com/`,
      team: 'Domum Test',
      user: 'domum',
      team_id: TEAM_ID,
      user_id: botUserId,
      bot_id: BOT_ID,
      is_enterprise_install: false,
    }),

    'users.info': (args) => {
      const id = stringArg(args, 'user');
      const user = id ? describeUser(id) : undefined;
      return user ? { ok: true, user } : { ok: false, error: 'user_not_found' };
    },

    'chat.postMessage': (args) => {
      const channel = stringArg(args, 'channel');
      if (!channel) return { ok: false, error: 'channel_not_found' };
      if (!hasContent(args)) return { ok: false, error: 'no_text' };
      const resolved = /^[UW]/.test(channel) ? dmChannelFor(channel) : channel;
      const message = messageFrom(args, resolved, nextTs());
      messages.push(message);
      return { ok: true, channel: resolved, ts: message.ts, message: publicMessage(message) };
    },

    'chat.update': (args) => {
      const channel = stringArg(args, 'channel');
      const ts = stringArg(args, 'ts');
      if (!channel) return { ok: false, error: 'channel_not_found' };
      if (!ts) return { ok: false, error: 'message_not_found' };
      if (!hasContent(args)) return { ok: false, error: 'no_text' };
      const existing = findMessage(channel, ts);
      const edited = { user: botUserId, ts: nextTs() };
      // Lenient on unknown ts: tests often hand the app fabricated message timestamps in payloads.
      const message = existing ?? messageFrom(args, channel, ts);
      if (!existing) messages.push(message);
      const replacement = messageFrom(args, channel, ts);
      message.text = replacement.text;
      message.blocks = replacement.blocks;
      message.attachments = replacement.attachments;
      if (replacement.metadata !== undefined) message.metadata = replacement.metadata;
      message.edited = edited;
      return {
        ok: true,
        channel,
        ts,
        text: message.text ?? '',
        message: publicMessage(message),
      };
    },

    'chat.postEphemeral': (args) => {
      if (!stringArg(args, 'channel')) return { ok: false, error: 'channel_not_found' };
      if (!stringArg(args, 'user')) return { ok: false, error: 'user_not_in_channel' };
      if (!hasContent(args)) return { ok: false, error: 'no_text' };
      return { ok: true, message_ts: nextTs() };
    },

    'chat.delete': (args) => {
      const channel = stringArg(args, 'channel');
      const ts = stringArg(args, 'ts');
      if (!channel) return { ok: false, error: 'channel_not_found' };
      if (!ts) return { ok: false, error: 'message_not_found' };
      const existing = findMessage(channel, ts);
      if (existing) existing.deleted = true;
      return { ok: true, channel, ts };
    },

    'chat.getPermalink': (args) => {
      const channel = stringArg(args, 'channel');
      const ts = stringArg(args, 'message_ts');
      if (!channel) return { ok: false, error: 'channel_not_found' };
      if (!ts) return { ok: false, error: 'message_not_found' };
      return {
        ok: true,
        channel,
        permalink: `https://${TEAM_DOMAIN}.slack.com/archives/${channel}/p${ts.replace('.', '')}`,
      };
    },

    'conversations.open': (args) => {
      const userList = stringArg(args, 'users');
      const channel = stringArg(args, 'channel');
      if (userList) {
        const ids = userList
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean);
        const id = ids.length === 1 ? dmChannelFor(ids[0] ?? '') : `G${ids.join('')}`;
        return { ok: true, no_op: false, already_open: false, channel: { id } };
      }
      if (channel) return { ok: true, no_op: true, already_open: true, channel: { id: channel } };
      return { ok: false, error: 'users_list_not_supplied' };
    },

    'views.open': (args) => {
      if (!stringArg(args, 'trigger_id') && !stringArg(args, 'interactivity_pointer')) {
        return { ok: false, error: 'invalid_arguments' };
      }
      const view = objectArg(args, 'view');
      if (!view) return { ok: false, error: 'invalid_arguments' };
      const id = newViewId();
      viewStacks.set(id, [id]);
      currentRootViewId = id;
      return { ok: true, view: storeView(view, { id, rootViewId: id, previousViewId: null }) };
    },

    'views.push': (args) => {
      if (!stringArg(args, 'trigger_id') && !stringArg(args, 'interactivity_pointer')) {
        return { ok: false, error: 'invalid_arguments' };
      }
      const view = objectArg(args, 'view');
      if (!view) return { ok: false, error: 'invalid_arguments' };
      // The fake can't tell which modal a trigger_id came from: pushes go onto the most recently opened modal.
      const stack = currentRootViewId ? viewStacks.get(currentRootViewId) : undefined;
      if (stack && stack.length >= MAX_VIEW_STACK) {
        return { ok: false, error: 'push_limit_reached' };
      }
      const id = newViewId();
      if (!currentRootViewId || !stack) {
        // Lenient, like views.update: a push onto a modal this fake never opened starts a stack of its own.
        viewStacks.set(id, [id]);
        currentRootViewId = id;
        return { ok: true, view: storeView(view, { id, rootViewId: id, previousViewId: null }) };
      }
      const previousViewId = stack[stack.length - 1] ?? null;
      stack.push(id);
      return { ok: true, view: storeView(view, { id, rootViewId: currentRootViewId, previousViewId }) };
    },

    'views.update': (args) => {
      const view = objectArg(args, 'view');
      if (!view) return { ok: false, error: 'invalid_arguments' };
      const viewId = stringArg(args, 'view_id');
      const externalId = stringArg(args, 'external_id');
      if (!viewId && !externalId) return { ok: false, error: 'invalid_arguments' };
      const existing = viewId
        ? views.get(viewId)
        : [...views.values()].find((stored) => stored['external_id'] === externalId);
      if (!existing && externalId && !viewId) return { ok: false, error: 'not_found' };
      const hash = stringArg(args, 'hash');
      if (existing && hash && hash !== existing['hash']) return { ok: false, error: 'hash_conflict' };
      // Lenient on unknown view ids: tests often fabricate view ids in interaction payloads.
      const id = typeof existing?.['id'] === 'string' ? existing['id'] : (viewId ?? newViewId());
      const rootViewId = typeof existing?.['root_view_id'] === 'string' ? existing['root_view_id'] : id;
      const previousViewId = typeof existing?.['previous_view_id'] === 'string' ? existing['previous_view_id'] : null;
      return { ok: true, view: storeView(view, { id, rootViewId, previousViewId }) };
    },

    'views.publish': (args) => {
      const userId = stringArg(args, 'user_id');
      if (!userId) return { ok: false, error: 'invalid_arguments' };
      const view = objectArg(args, 'view');
      if (!view || view['type'] !== 'home') return { ok: false, error: 'invalid_arguments' };
      const existingId = homeViewIdByUser.get(userId);
      const hash = stringArg(args, 'hash');
      if (existingId && hash && views.get(existingId)?.['hash'] !== hash) return { ok: false, error: 'hash_conflict' };
      const id = existingId ?? newViewId();
      homeViewIdByUser.set(userId, id);
      return { ok: true, view: storeView(view, { id, rootViewId: id, previousViewId: null }) };
    },

    'conversations.info': (args) => {
      const id = stringArg(args, 'channel');
      if (!id) return { ok: false, error: 'channel_not_found' };
      const isIm = id.startsWith('D');
      const isPrivate = id.startsWith('G');
      return {
        ok: true,
        channel: {
          id,
          ...(isIm ? { user: id.slice(1) } : { name: id.toLowerCase() }),
          is_channel: id.startsWith('C'),
          is_group: isPrivate,
          is_im: isIm,
          is_mpim: false,
          is_private: isPrivate,
          is_archived: false,
          is_member: !notMemberChannels.has(id),
        },
      };
    },

    'usergroups.users.list': (args) => {
      const id = stringArg(args, 'usergroup');
      const members = id ? usergroups.get(id) : undefined;
      return members ? { ok: true, users: [...members] } : { ok: false, error: 'no_such_subteam' };
    },

    'files.info': (args) => {
      const id = stringArg(args, 'file');
      const stored = id ? files.get(id) : undefined;
      if (!stored) return { ok: false, error: 'file_not_found' };
      return { ok: true, file: structuredClone(stored.file), comments: [], response_metadata: { next_cursor: '' } };
    },

    'files.getUploadURLExternal': (args) => {
      const filename = stringArg(args, 'filename');
      const lengthText = stringArg(args, 'length');
      if (!filename || !lengthText) return { ok: false, error: 'invalid_arguments' };
      const declaredLength = Number(lengthText);
      if (!Number.isInteger(declaredLength) || declaredLength < 0) return { ok: false, error: 'invalid_arguments' };
      fileSequence += 1;
      const fileId = `F${String(fileSequence).padStart(8, '0')}`;
      pendingUploads.set(fileId, { filename, declaredLength, bytes: undefined });
      return { ok: true, upload_url: `${origin}/upload/${fileId}`, file_id: fileId };
    },

    'files.completeUploadExternal': (args) => {
      const requested = args['files'];
      if (!Array.isArray(requested) || requested.length === 0) return { ok: false, error: 'invalid_arguments' };
      const entries: Array<{ id: string; title: string | undefined }> = [];
      for (const entry of requested as unknown[]) {
        if (!isRecord(entry) || typeof entry['id'] !== 'string') return { ok: false, error: 'invalid_arguments' };
        entries.push({ id: entry['id'], title: typeof entry['title'] === 'string' ? entry['title'] : undefined });
      }
      for (const entry of entries) {
        if (pendingUploads.get(entry.id)?.bytes === undefined) return { ok: false, error: 'file_not_found' };
      }
      const channelId = stringArg(args, 'channel_id') ?? stringArg(args, 'channels');
      const threadTs = stringArg(args, 'thread_ts');
      const initialComment = stringArg(args, 'initial_comment');
      const completed: SlackFileObject[] = [];
      for (const entry of entries) {
        const pending = pendingUploads.get(entry.id);
        if (!pending?.bytes) continue;
        pendingUploads.delete(entry.id);
        completed.push(
          addFile({
            id: entry.id,
            name: pending.filename,
            title: entry.title ?? pending.filename,
            bytes: pending.bytes,
            user: botUserId,
            channels: channelId ? [channelId] : [],
            ...(channelId && threadTs ? { threadTs } : {}),
          }),
        );
        uploads.push({
          fileId: entry.id,
          filename: pending.filename,
          bytes: pending.bytes,
          declaredLength: pending.declaredLength,
          ...(channelId ? { channelId } : {}),
          ...(threadTs ? { threadTs } : {}),
          ...(entry.title ? { title: entry.title } : {}),
          ...(initialComment ? { initialComment } : {}),
          ...(args['blocks'] !== undefined ? { blocks: args['blocks'] } : {}),
        });
      }
      return { ok: true, files: completed };
    },
  };

  async function routeRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', origin);
    const segments = requestUrl.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [root, first, second] = segments;
    if (root === 'api' && first && segments.length === 2) {
      await handleApiCall(first, req, res, requestUrl);
      return;
    }
    if (root === 'upload' && first && req.method === 'POST') {
      await handleUploadPost(first, req, res);
      return;
    }
    if (root === 'files-pri' && first && second && (req.method === 'GET' || req.method === 'HEAD')) {
      await readBody(req);
      handleDownload(first, req, res);
      return;
    }
    if (root === 'response' && first && req.method === 'POST') {
      await handleResponsePost(first, req, res);
      return;
    }
    await readBody(req);
    sendText(res, 404, `fake slack api: no route for ${req.method ?? '?'} ${requestUrl.pathname}`);
  }

  async function handleApiCall(
    method: string,
    req: IncomingMessage,
    res: ServerResponse,
    requestUrl: URL,
  ): Promise<void> {
    const raw = await readBody(req);
    const { args, encoding } = await parseArguments(req.headers['content-type'], raw, requestUrl.searchParams);
    const bodyToken = typeof args['token'] === 'string' ? args['token'] : undefined;
    delete args['token'];
    const token = bearerToken(req.headers.authorization) ?? bodyToken;
    const authError = token ? tokenProblem(method, token) : 'not_authed';
    const problems = payloadProblems(method, args);
    if (problems.length > 0) violations.push({ method, problems });

    let status = 200;
    let headers: Record<string, string> = {};
    let body: unknown;
    const scripted = takeScriptedFailure(method);
    if (scripted) {
      status = scripted.status ?? 200;
      headers = scripted.headers ?? {};
      body = scripted.body ?? defaultFailureBody(status);
    } else if (authError !== undefined) {
      body = { ok: false, error: authError };
    } else if (problems.length > 0) {
      body = rejectionFor(method, problems);
    } else {
      const handler = customHandlers.get(method) ?? builtInHandlers[method];
      try {
        body = handler ? handler(args, { token }) : { ok: false, error: 'unknown_method' };
      } catch (error) {
        status = 500;
        body = { ok: false, error: 'fake_handler_threw', detail: String(error) };
      }
    }

    calls.push({ method, args, token, at: Date.now(), encoding, status, response: body });
    send(res, status, headers, body);
    notifyChange();
  }

  function tokenProblem(method: string, token: string): string | undefined {
    if (appToken !== undefined && token === appToken) {
      return method === 'apps.connections.open' ? undefined : 'not_allowed_token_type';
    }
    if (token !== botToken) return 'invalid_auth';
    if (method === 'apps.connections.open' && appToken !== undefined) return 'not_allowed_token_type';
    return undefined;
  }

  async function handleUploadPost(fileId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const scripted = takeScriptedFailure('@upload');
    if (scripted) {
      const status = scripted.status ?? 500;
      send(res, status, scripted.headers ?? {}, scripted.body ?? 'upload failed');
      return;
    }
    const pending = pendingUploads.get(fileId);
    if (!pending) {
      sendText(res, 404, 'unknown upload');
      return;
    }
    pending.bytes = await extractUploadedBytes(req.headers['content-type'], raw);
    sendText(res, 200, `OK - ${pending.bytes.length}`);
    notifyChange();
  }

  function handleDownload(fileId: string, req: IncomingMessage, res: ServerResponse): void {
    const stored = files.get(fileId);
    const authorized = bearerToken(req.headers.authorization) === botToken;
    const download: FileDownload = { fileId, authorized, at: Date.now(), outcome: 'sending' };
    downloads.push(download);
    res.on('close', () => {
      download.outcome = res.writableFinished ? 'completed' : 'aborted';
      notifyChange();
    });
    notifyChange();
    const scripted = takeScriptedFailure('@download');
    if (scripted) {
      send(res, scripted.status ?? 500, scripted.headers ?? {}, scripted.body ?? '');
      return;
    }
    if (!authorized || !stored) {
      // Real Slack answers an unauthenticated url_private fetch with its HTML sign-in page and status 200.
      const status = authorized ? 404 : 200;
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(SLACK_LOGIN_PAGE),
      });
      res.end(req.method === 'HEAD' ? undefined : SLACK_LOGIN_PAGE);
      return;
    }
    const headers = {
      'content-type': stored.file.mimetype,
      'content-disposition': `attachment; filename="${encodeURIComponent(stored.file.name)}"`,
    };
    if (!stored.chunked || req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': stored.bytes.length });
      res.end(req.method === 'HEAD' ? undefined : stored.bytes);
      return;
    }
    res.writeHead(200, headers);
    let offset = 0;
    const sendChunks = (): void => {
      while (offset < stored.bytes.length && !res.destroyed) {
        const chunk = stored.bytes.subarray(offset, offset + DOWNLOAD_CHUNK_BYTES);
        offset += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', sendChunks);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    sendChunks();
  }

  async function handleResponsePost(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const contentType = req.headers['content-type'];
    const scripted = takeScriptedFailure('@response');
    if (scripted) {
      const status = scripted.status ?? 500;
      send(res, status, scripted.headers ?? {}, scripted.body ?? 'internal_error');
      return;
    }
    let body: unknown;
    if (contentType?.startsWith('application/json')) {
      body = parseJsonOrText(raw.toString('utf8'));
    } else if (contentType?.startsWith('application/x-www-form-urlencoded')) {
      body = decodeFormFields(new URLSearchParams(raw.toString('utf8')));
    } else {
      body = parseJsonOrText(raw.toString('utf8'));
    }
    const problems = isRecord(body) ? checkMessage({ text: body['text'], blocks: body['blocks'] }) : [];
    if (problems.length > 0) {
      violations.push({ method: '@response', problems });
      send(res, 400, {}, { ok: false, error: 'invalid_blocks', errors: problems });
      notifyChange();
      return;
    }
    responses.push({ id, body, contentType, at: Date.now() });
    sendText(res, 200, 'ok');
    notifyChange();
  }

  const fake: FakeSlackApi = {
    url: `${origin}/api/`,
    origin,
    botToken,
    appToken,
    botUserId,
    botId: BOT_ID,
    teamId: TEAM_ID,
    appId: APP_ID,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    waitForCall: (method, predicate, timeoutMs = 5000) =>
      waitUntil(
        () => calls.find((call) => call.method === method && matchesSafely(predicate, call)),
        timeoutMs,
        () =>
          `Timed out after ${timeoutMs} ms waiting for a ${method} call${predicate ? ' matching the predicate' : ''}. ` +
          `Calls seen: ${describeCalls(calls)}`,
      ),
    waitForCalls: (method, count, predicate, timeoutMs = 5000) =>
      waitUntil(
        () => {
          const matching = calls.filter((call) => call.method === method && matchesSafely(predicate, call));
          return matching.length >= count ? matching : undefined;
        },
        timeoutMs,
        () =>
          `Timed out after ${timeoutMs} ms waiting for ${count} ${method} call(s)${predicate ? ' matching the predicate' : ''}. ` +
          `Calls seen: ${describeCalls(calls)}`,
      ),
    failNext: (method, response, times = 1) => {
      const queue = failures.get(method) ?? [];
      queue.push({ response, remaining: times });
      failures.set(method, queue);
    },
    setHandler: (method, handler) => {
      customHandlers.set(method, handler);
    },
    setUser: (id, user) => {
      users.set(id, user);
    },
    setUsergroup: (id, members) => {
      usergroups.set(id, [...members]);
    },
    setNotMember: (channelId) => {
      notMemberChannels.add(channelId);
    },
    addFile,
    shareTs,
    violations,
    messages,
    findMessage,
    views,
    viewStack: (rootViewId) => [...(viewStacks.get(rootViewId ?? currentRootViewId ?? '') ?? [])],
    closeView: (viewId) => {
      for (const [rootViewId, stack] of viewStacks) {
        const index = stack.indexOf(viewId);
        if (index < 0) continue;
        if (index === 0) {
          viewStacks.delete(rootViewId);
          if (currentRootViewId === rootViewId) currentRootViewId = undefined;
        } else {
          stack.length = index;
        }
        return;
      }
    },
    uploads,
    waitForUpload: (predicate, timeoutMs = 5000) =>
      waitUntil(
        () => uploads.find((upload) => matchesSafely(predicate, upload)),
        timeoutMs,
        () =>
          `Timed out after ${timeoutMs} ms waiting for a completed file upload. Uploads seen: ${JSON.stringify(
            uploads.map((upload) => ({
              fileId: upload.fileId,
              filename: upload.filename,
              channelId: upload.channelId,
            })),
          )}. Calls seen: ${describeCalls(calls)}`,
      ),
    downloads,
    responseUrl: (id) => {
      responseSequence += 1;
      return `${origin}/response/${encodeURIComponent(id ?? `R${String(responseSequence).padStart(6, '0')}`)}`;
    },
    responses,
    waitForResponse: (predicate, timeoutMs = 5000) =>
      waitUntil(
        () => responses.find((response) => matchesSafely(predicate, response)),
        timeoutMs,
        () =>
          `Timed out after ${timeoutMs} ms waiting for a response_url POST${predicate ? ' matching the predicate' : ''}. ` +
          `Responses seen: ${JSON.stringify(responses.map((response) => ({ id: response.id, body: response.body })))}` +
          (violations.length > 0 ? `. Violations: ${JSON.stringify(violations)}` : ''),
      ),
    reset: () => {
      calls.length = 0;
      responses.length = 0;
      uploads.length = 0;
      downloads.length = 0;
      messages.length = 0;
      violations.length = 0;
      failures.clear();
    },
    close: async () => {
      for (const cancel of [...cancelWaiters]) cancel(new Error('fake Slack API closed while waiting'));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return fake;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

async function parseArguments(
  contentType: string | undefined,
  raw: Buffer,
  query: URLSearchParams,
): Promise<{ args: Record<string, unknown>; encoding: BodyEncoding }> {
  const args = decodeFormFields(query);
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json') {
    if (raw.length === 0) return { args, encoding: 'json' };
    const parsed = parseJsonOrText(raw.toString('utf8'));
    return { args: { ...args, ...(isRecord(parsed) ? parsed : {}) }, encoding: 'json' };
  }
  if (type === 'multipart/form-data') {
    if (raw.length === 0) return { args, encoding: 'multipart' };
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType ?? '' } }).formData();
    for (const [key, value] of form) {
      args[key] = typeof value === 'string' ? decodeFormValue(key, value) : Buffer.from(await value.arrayBuffer());
    }
    return { args, encoding: 'multipart' };
  }
  if (type === 'application/x-www-form-urlencoded' || raw.length > 0) {
    return { args: { ...args, ...decodeFormFields(new URLSearchParams(raw.toString('utf8'))) }, encoding: 'form' };
  }
  return { args, encoding: 'none' };
}

function decodeFormFields(params: URLSearchParams): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of params) args[key] = decodeFormValue(key, value);
  return args;
}

function decodeFormValue(key: string, value: string): unknown {
  if (TEXT_ARGS.has(key)) return value;
  const trimmed = value.trim();
  const looksLikeJson =
    (trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'));
  if (!looksLikeJson) return value;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return value;
  }
}

async function extractUploadedBytes(contentType: string | undefined, raw: Buffer): Promise<Buffer> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) return raw;
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  for (const [, value] of form) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  const firstField = form.values().next();
  return Buffer.from(typeof firstField.value === 'string' ? firstField.value : '');
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function stringArg(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function objectArg(args: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = args[key];
  return isRecord(value) ? value : undefined;
}

/** Block Kit / view limit problems of an API call's payload (see block-kit-limits.ts). */
function payloadProblems(method: string, args: Record<string, unknown>): string[] {
  if (MESSAGE_METHODS.has(method)) return checkMessage({ text: args['text'], blocks: args['blocks'] });
  if (VIEW_METHODS.has(method) && isRecord(args['view'])) return checkView(args['view']);
  return [];
}

function rejectionFor(method: string, problems: string[]): Record<string, unknown> {
  if (VIEW_METHODS.has(method))
    return { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } };
  const blockProblems = problems.filter((problem) => !problem.startsWith('text:'));
  let error = 'invalid_blocks';
  if (blockProblems.length === 0) error = 'msg_too_long';
  else if (blockProblems.every((problem) => problem.startsWith(MSG_BLOCKS_TOO_LONG))) error = 'msg_blocks_too_long';
  return { ok: false, error, errors: problems };
}

function hasContent(args: Record<string, unknown>): boolean {
  return (
    stringArg(args, 'text') !== undefined ||
    (Array.isArray(args['blocks']) && args['blocks'].length > 0) ||
    (Array.isArray(args['attachments']) && args['attachments'].length > 0)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function defaultFailureBody(status: number): unknown {
  if (status === 429) return { ok: false, error: 'ratelimited' };
  if (status >= 500) return { ok: false, error: 'internal_error' };
  return { ok: false, error: 'fatal_error' };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const lowered = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  const isText = typeof body === 'string';
  const payload = isText ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
    ...lowered,
  });
  res.end(payload);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, {}, text);
}

function detectType(name: string): { mimetype: string; filetype: string; pretty: string } {
  const extension = name.includes('.') ? (name.split('.').pop() ?? '').toLowerCase() : '';
  return EXTENSION_TYPES[extension] ?? { mimetype: 'application/octet-stream', filetype: 'binary', pretty: 'Binary' };
}

function describeTimeZone(tz: string): { offsetSeconds: number; label: string } {
  try {
    const now = new Date();
    const offsetName = timeZoneNamePart(tz, 'longOffset', now);
    const label = timeZoneNamePart(tz, 'long', now);
    const match = /GMT([+-])(\d{2}):(\d{2})/.exec(offsetName);
    const sign = match?.[1] === '-' ? -1 : 1;
    const offsetSeconds = match ? sign * (Number(match[2]) * 3600 + Number(match[3]) * 60) : 0;
    return { offsetSeconds, label };
  } catch {
    return { offsetSeconds: 0, label: tz };
  }
}

function timeZoneNamePart(tz: string, style: 'long' | 'longOffset', at: Date): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style }).formatToParts(at);
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? '';
}

function describeCalls(calls: SlackApiCall[]): string {
  if (calls.length === 0) return '(none)';
  return calls
    .map((call) => {
      const outcome =
        isRecord(call.response) && call.response['ok'] === false ? ` -> ${String(call.response['error'])}` : '';
      return `${call.method}(${truncate(JSON.stringify(call.args), 200)}) [${call.status}]${outcome}`;
    })
    .join('; ');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
