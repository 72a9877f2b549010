// One log line per Slack request that passed signature verification, with an id that follows the request
// through its listener's logs (every line logged while the listener runs carries it, see withLogContext).
// Ids, types and Slack ids only: never text people typed.
import { randomUUID } from 'node:crypto';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { withLogContext } from '../logger.ts';
import type { Logger } from '../logger.ts';

export function createRequestLogMiddleware(logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const requestId = randomUUID();
    context.requestId = requestId;
    const payload = body as {
      type?: string;
      command?: string;
      user_id?: string;
      user?: { id?: string };
      event?: { type?: string };
      actions?: Array<{ action_id?: string }>;
      view?: { callback_id?: string };
    };
    logger.info('slack request', {
      requestId,
      kind: payload.command ? 'command' : payload.type,
      command: payload.command,
      event: payload.event?.type,
      action: payload.actions?.[0]?.action_id,
      view: payload.view?.callback_id,
      user: payload.user_id ?? payload.user?.id,
      retryNum: context.retryNum,
    });
    await withLogContext({ requestId }, next);
  };
}
