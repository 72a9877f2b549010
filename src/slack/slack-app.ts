// The Bolt adapter: an App in HTTP mode (requests signed with SLACK_SIGNING_SECRET, served on our own HTTP
// server at /slack/events) or in Socket Mode when SLACK_APP_TOKEN is set. Receivers carry transport only.
import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Receiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Config } from '../config.ts';
import { slackLogLevel, toSlackLogger } from '../logger.ts';
import type { Logger } from '../logger.ts';
import { SLACK_REQUEST_TIMEOUT_MS, slackClientOptions } from './client-options.ts';
import type { AppDeps } from './deps.ts';
import { createSlackErrorHandler } from './errors.ts';
import { SLACK_EVENTS_PATH } from './ids.ts';
import { registerSlackListeners } from './listeners.ts';

export interface SlackAdapter {
  app: App;
  client: WebClient;
  /** HTTP mode: the listener for /slack/events, mounted on the app's web server. */
  eventsListener: RequestListener | undefined;
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
    eventsListener: httpReceiver?.requestListener,
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
