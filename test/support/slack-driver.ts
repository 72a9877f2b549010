import { createHmac } from 'node:crypto';
import type { FakeSlackApi } from './fake-slack-api.ts';
import {
  FORM_CONTENT_TYPE,
  TEST_WORKSPACE,
  generateTriggerId,
  slashCommandFields,
  slashCommandRequest,
} from './slash-command.ts';
import type { SlashCommandFields, SlashCommandInput } from './slash-command.ts';

export type SignOptions = {
  /** Defaults to now; pass e.g. `now - 360` for a stale request. */
  timestampSeconds?: number;
  /** Sign with this secret instead of the driver's. */
  signingSecret?: string;
  /** Send this X-Slack-Signature verbatim instead of computing one. */
  signature?: string;
};

export type SlackDriverResponse = {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  text: string;
  json(): unknown;
  /** Wall time until the app answered; Slack gives up after 3 s. */
  durationMs: number;
};

export type CommandResult = SlackDriverResponse & {
  /** Form fields exactly as sent, e.g. to find the response_url / trigger_id used. */
  fields: SlashCommandFields;
};

export type EventEnvelopeOptions = {
  eventId?: string;
  eventTime?: number;
  retryNum?: number;
  retryReason?: string;
};

export type EventResult = SlackDriverResponse & { eventId: string };

export type RawRequest = {
  body: string;
  contentType: string;
  headers?: Record<string, string>;
};

export type SlackDriver = {
  eventsUrl: string;
  command(input: SlashCommandInput, signOptions?: SignOptions): Promise<CommandResult>;
  /** Fills `token`, `team`, `api_app_id`, `is_enterprise_install`, `enterprise` and (where Slack sends one) `trigger_id` when absent. */
  interactive(payload: Record<string, unknown>, signOptions?: SignOptions): Promise<SlackDriverResponse>;
  /** Fills `event_ts` on the event when absent. */
  event(
    event: Record<string, unknown>,
    envelope?: EventEnvelopeOptions,
    signOptions?: SignOptions,
  ): Promise<EventResult>;
  urlVerification(challenge: string, signOptions?: SignOptions): Promise<SlackDriverResponse>;
  /** Signs and posts an arbitrary body. */
  send(request: RawRequest, signOptions?: SignOptions): Promise<SlackDriverResponse>;
};

export type SlackDriverOptions = {
  /** App origin, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  signingSecret: string;
  fakeApi?: FakeSlackApi;
  teamId?: string;
  teamDomain?: string;
  appId?: string;
  /** Legacy verification token Slack still includes in bodies. */
  verificationToken?: string;
  /** Default '/slack/events'. */
  path?: string;
};

const JSON_CONTENT_TYPE = 'application/json';
const SLACK_USER_AGENT = 'Slackbot 1.0 (+https://api.slack.com/robots)';
// Only these payload types carry a trigger_id in real Slack traffic.
const TYPES_WITH_TRIGGER = new Set([
  'block_actions',
  'shortcut',
  'message_action',
  'view_submission',
  'block_suggestion',
]);

export function signSlackRequest(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
  return `v0=${digest}`;
}

export function createSlackDriver(options: SlackDriverOptions): SlackDriver {
  const eventsUrl = new URL(options.path ?? '/slack/events', options.baseUrl).toString();
  const teamId = options.teamId ?? options.fakeApi?.teamId ?? TEST_WORKSPACE.teamId;
  const teamDomain = options.teamDomain ?? TEST_WORKSPACE.teamDomain;
  const appId = options.appId ?? options.fakeApi?.appId ?? TEST_WORKSPACE.appId;
  const verificationToken = options.verificationToken ?? TEST_WORKSPACE.verificationToken;
  const botUserId = options.fakeApi?.botUserId ?? 'U0BOT0001';
  let eventSequence = 0;

  async function post(request: RawRequest, signOptions: SignOptions = {}): Promise<SlackDriverResponse> {
    const timestamp = signOptions.timestampSeconds ?? Math.floor(Date.now() / 1000);
    const signature =
      signOptions.signature ??
      signSlackRequest(signOptions.signingSecret ?? options.signingSecret, timestamp, request.body);
    const started = performance.now();
    const response = await fetch(eventsUrl, {
      method: 'POST',
      headers: {
        'Content-Type': request.contentType,
        'User-Agent': SLACK_USER_AGENT,
        'X-Slack-Request-Timestamp': String(timestamp),
        'X-Slack-Signature': signature,
        ...request.headers,
      },
      body: request.body,
      redirect: 'manual',
    });
    const text = await response.text();
    const durationMs = performance.now() - started;
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      text,
      json: () => JSON.parse(text) as unknown,
      durationMs,
    };
  }

  return {
    eventsUrl,

    async command(input, signOptions) {
      const fields = slashCommandFields(
        { ...input, responseUrl: input.responseUrl ?? options.fakeApi?.responseUrl() },
        { teamId, teamDomain, appId, verificationToken },
      );
      const response = await post(slashCommandRequest(fields), signOptions);
      return { ...response, fields };
    },

    interactive(payload, signOptions) {
      const filled: Record<string, unknown> = {
        token: verificationToken,
        team: { id: teamId, domain: teamDomain },
        api_app_id: appId,
        is_enterprise_install: false,
        enterprise: null,
        ...payload,
      };
      if (
        typeof payload['type'] === 'string' &&
        TYPES_WITH_TRIGGER.has(payload['type']) &&
        !('trigger_id' in payload)
      ) {
        filled['trigger_id'] = generateTriggerId();
      }
      const body = new URLSearchParams({ payload: JSON.stringify(filled) }).toString();
      return post({ body, contentType: FORM_CONTENT_TYPE }, signOptions);
    },

    async event(event, envelope = {}, signOptions) {
      eventSequence += 1;
      const eventId =
        envelope.eventId ?? `Ev${Date.now().toString(36).toUpperCase()}${String(eventSequence).padStart(4, '0')}`;
      const eventTime = envelope.eventTime ?? Math.floor(Date.now() / 1000);
      const body = JSON.stringify({
        token: verificationToken,
        team_id: teamId,
        context_team_id: teamId,
        context_enterprise_id: null,
        api_app_id: appId,
        event: { event_ts: `${eventTime}.${String(eventSequence).padStart(6, '0')}`, ...event },
        type: 'event_callback',
        event_id: eventId,
        event_time: eventTime,
        authorizations: [
          { enterprise_id: null, team_id: teamId, user_id: botUserId, is_bot: true, is_enterprise_install: false },
        ],
        is_ext_shared_channel: false,
        event_context: `4-${Buffer.from(eventId).toString('base64url')}`,
      });
      const headers: Record<string, string> = {};
      if (envelope.retryNum !== undefined) {
        headers['X-Slack-Retry-Num'] = String(envelope.retryNum);
        headers['X-Slack-Retry-Reason'] = envelope.retryReason ?? 'http_timeout';
      }
      const response = await post({ body, contentType: JSON_CONTENT_TYPE, headers }, signOptions);
      return { ...response, eventId };
    },

    urlVerification(challenge, signOptions) {
      const body = JSON.stringify({ token: verificationToken, challenge, type: 'url_verification' });
      return post({ body, contentType: JSON_CONTENT_TYPE }, signOptions);
    },

    send: post,
  };
}

/** The first element with this action_id anywhere in a block tree. */
export function findElement(tree: unknown, actionId: string): Record<string, unknown> | undefined {
  if (Array.isArray(tree)) {
    for (const item of tree) {
      const found = findElement(item, actionId);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof tree !== 'object' || tree === null) return undefined;
  const record = tree as Record<string, unknown>;
  if (record['action_id'] === actionId) return record;
  return findElement(Object.values(record), actionId);
}
