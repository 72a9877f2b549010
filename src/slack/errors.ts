// The one place unexpected failures end up: logged with a reference id, and the user told that id
// in a short apology, so what they report can be found in the logs.
import { randomBytes } from 'node:crypto';
import type { CodedError } from '@slack/bolt';

// Bolt does not export the argument type of its extended error handler; these are the parts used here.
interface ExtendedErrorHandlerArgs {
  error: CodedError;
  body: unknown;
  context?: Record<string, unknown>;
}
import type { Logger } from '../logger.ts';

export function newReferenceId(): string {
  return randomBytes(4).toString('hex').toUpperCase();
}

export function apologyText(referenceId: string): string {
  return `Sorry, something went wrong on our side. If it happens again, give an admin this reference: ${referenceId}.`;
}

export function createSlackErrorHandler(logger: Logger) {
  return async ({ error, body, context }: ExtendedErrorHandlerArgs): Promise<void> => {
    const referenceId = newReferenceId();
    const payload = (body ?? {}) as {
      type?: string;
      command?: string;
      user_id?: string;
      user?: { id?: string };
      response_url?: string;
    };
    // Bolt calls this outside the request's log context: the request id (set by request-log.ts) is added here.
    logger.error('unexpected error in a Slack listener', {
      referenceId,
      requestId: context?.requestId,
      error: ('original' in error ? error.original : undefined) ?? error,
      code: error.code,
      kind: payload.type ?? (payload.command ? 'slash_command' : 'unknown'),
      user: payload.user_id ?? payload.user?.id,
    });
    const responseUrl = payload.response_url;
    if (!responseUrl) return;
    try {
      await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: apologyText(referenceId) }),
        signal: AbortSignal.timeout(5_000),
      });
    } catch (replyError) {
      logger.warn('could not send the apology', { referenceId, error: (replyError as Error).message });
    }
  };
}
