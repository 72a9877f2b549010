// The Bolt adapter: an App in HTTP mode (requests signed with SLACK_SIGNING_SECRET, served on our own HTTP
// server at /slack/events) or in Socket Mode when SLACK_APP_TOKEN is set. Receivers carry transport only.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Receiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Config } from '../config.ts';
import { slackLogLevel, toSlackLogger } from '../logger.ts';
import type { Logger } from '../logger.ts';
import { SLACK_REQUEST_TIMEOUT_MS, slackClientOptions } from './client-options.ts';
import type { AppDeps } from '../app-deps.ts';
import { createSlackErrorHandler } from './errors.ts';
import { SLACK_EVENTS_PATH } from './ids.ts';
import { registerSlackListeners } from './listeners.ts';
import { readLimitedBody } from '../web/read-body.ts';

export interface SlackAdapter {
  app: App;
  client: WebClient;
  /** HTTP mode: the listener for POST /slack/events, mounted on the app's web server. */
  eventsListener: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class SlackAuthError extends Error {
  constructor(reason: string) {
    super(
      `Slack refused SLACK_BOT_TOKEN (${reason}). Check the bot token of the app created from slack-manifest.yml (README.md, section "Creating the Slack app").`,
    );
    this.name = 'SlackAuthError';
  }
}

/** Learns the bot's identity once, failing fast on a token Slack refuses instead of at the first event. */
export async function identifyBot(
  config: Config,
  logger: Logger,
): Promise<{ botId: string; botUserId: string; teamId: string }> {
  const client = new WebClient(
    config.slack.botToken,
    slackClientOptions(config.slack.apiUrl, toSlackLogger(logger, 'warn')),
  );
  try {
    const identity = await client.auth.test();
    return { botId: identity.bot_id ?? '', botUserId: identity.user_id ?? '', teamId: identity.team_id ?? '' };
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code) throw new SlackAuthError(code);
    throw error;
  }
}

export async function createSlackAdapter(deps: AppDeps): Promise<SlackAdapter> {
  const { config, logger } = deps;
  const slackLogger = toSlackLogger(logger.child({ component: 'slack' }), config.logLevel);
  const identity = await identifyBot(config, logger);
  let receiver: Receiver;
  let httpReceiver: HTTPReceiver | undefined;
  if (config.slack.socketMode) {
    receiver = new SocketModeReceiver({
      appToken: config.slack.appToken ?? '',
      logger: slackLogger,
      // apps.connections.open must go to SLACK_API_URL too (GovSlack, tests). Its retry policy is left to the
      // Socket Mode client, which keeps trying to reconnect.
      installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl, timeout: SLACK_REQUEST_TIMEOUT_MS } },
    });
  } else {
    httpReceiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret ?? '',
      endpoints: SLACK_EVENTS_PATH,
      logger: slackLogger,
      // Listeners ack before doing slow work, so the response never waits for a listener to finish.
      processBeforeResponse: false,
    });
    receiver = httpReceiver;
  }
  const app = new App({
    token: config.slack.botToken,
    botId: identity.botId,
    botUserId: identity.botUserId,
    tokenVerificationEnabled: false,
    receiver,
    logger: slackLogger,
    logLevel: slackLogLevel[config.logLevel],
    clientOptions: slackClientOptions(config.slack.apiUrl, slackLogger),
    extendedErrorHandler: true,
  });
  app.error(createSlackErrorHandler(logger.child({ component: 'slack' })));
  registerSlackListeners(app, deps);
  return {
    app,
    client: app.client,
    eventsListener: httpReceiver && guardEventsListener(httpReceiver.requestListener),
    start: async () => {
      // In HTTP mode our web server delivers requests to the receiver; only Socket Mode opens a connection.
      if (config.slack.socketMode) await receiver.start();
    },
    stop: async () => {
      // Bolt's SocketModeReceiver.stop() does not wait for the close handshake; the client's disconnect()
      // does, so no envelope reaches a listener while the jobs and the database are shutting down.
      if (receiver instanceof SocketModeReceiver) await receiver.client.disconnect();
    },
  };
}

/** Slack's payloads are small (a modal's state is well under this); Bolt's own limit is 4 MB. */
const SLACK_BODY_LIMIT_BYTES = 1_048_576;
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * Bolt's listener, given a body it can read without throwing. Bolt reads `body.ssl_check` outside its own
 * try/catch, in a promise nobody awaits: a body that parses to `null` (`null`, or `payload=null`) would be an
 * unhandled rejection, which ends the process. So the body is read here first (Bolt uses a body it finds
 * already read), refused with 413 past SLACK_BODY_LIMIT_BYTES and with 400 when it parses to null; any other
 * body, signature checks included, is Bolt's to judge.
 */
function guardEventsListener(
  listener: RequestListener,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const body = await readLimitedBody(request, SLACK_BODY_LIMIT_BYTES);
    if (body === 'aborted') return;
    if (body === 'too-large') {
      response.writeHead(413, { connection: 'close' });
      response.end();
      return;
    }
    if (parsesToNull(body, request.headers['content-type'])) {
      response.writeHead(400);
      response.end();
      return;
    }
    listener(Object.assign(request, { rawBody: body }), response);
  };
}

/** Whether Bolt would parse this body (see its parseHTTPRequestBody) to `null`. */
function parsesToNull(body: Buffer, contentType: string | undefined): boolean {
  try {
    const text = body.toString();
    if (contentType !== FORM_CONTENT_TYPE) return JSON.parse(text) === null;
    const fields = parseQueryString(text);
    return (
      fields['ssl_check'] !== '1' && typeof fields['payload'] === 'string' && JSON.parse(fields['payload']) === null
    );
  } catch {
    // Not JSON: Bolt answers it (401 unsigned, 400 malformed) without throwing.
    return false;
  }
}
