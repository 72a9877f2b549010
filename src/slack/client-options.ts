// How the app talks to the Slack Web API. The SDK's default is no timeout at all and ten retries spread over
// about thirty minutes; a user waiting on a button cannot wait that long, and a background job has its own
// retries in pg-boss, so calls give up within seconds. A 429 is still honoured: the SDK waits Retry-After.
import type { WebClientOptions } from '@slack/web-api';
import type { Logger as SlackLogger } from '@slack/bolt';

export const SLACK_REQUEST_TIMEOUT_MS = 10_000;

export function slackClientOptions(
  apiUrl: string,
  logger: SlackLogger,
  timeoutMs = SLACK_REQUEST_TIMEOUT_MS,
): WebClientOptions {
  return {
    slackApiUrl: apiUrl,
    timeout: timeoutMs,
    logger,
    // At most 2 retries, waiting 0.5–2 s, and never more than 20 s in all (a 429's Retry-After counts too).
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000, maxRetryTime: 20_000, randomize: true },
    rejectRateLimitedCalls: false,
  };
}
