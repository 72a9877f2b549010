// Permalinks of the messages items are followed in (every listed item links to its thread), from
// chat.getPermalink, cached: a message's permalink never changes. Bounded in time, so a slow or rate-limited
// Web API never holds up an answer — an item whose link is not known in time is listed without it.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import type { StatusItem, ThreadRef } from '../usecases/status-report.ts';

const CACHE_LIMIT = 5_000;
export const PERMALINK_TIME_BUDGET_MS = 1_500;

export type PermalinkResolver = (
  client: WebClient,
  items: ReadonlyArray<Pick<StatusItem, 'code' | 'thread'>>,
) => Promise<Map<string, string>>;

export function createPermalinkResolver(logger: Logger): PermalinkResolver {
  const permalinks = new Map<string, string>();
  const directMessages = new Map<string, string>();
  const remember = <V>(cache: Map<string, V>, key: string, value: V) => {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
  };
  const resolve = async (client: WebClient, thread: NonNullable<StatusItem['thread']>): Promise<string | undefined> => {
    let ref: ThreadRef;
    if ('userId' in thread) {
      let channel = directMessages.get(thread.userId);
      if (!channel) {
        const opened = await client.conversations.open({ users: thread.userId });
        channel = opened.channel?.id;
        if (!channel) return undefined;
        remember(directMessages, thread.userId, channel);
      }
      ref = { channel, ts: thread.ts };
    } else ref = thread;
    const key = `${ref.channel}/${ref.ts}`;
    const known = permalinks.get(key);
    if (known) return known;
    const response = await client.chat.getPermalink({ channel: ref.channel, message_ts: ref.ts });
    if (!response.permalink) return undefined;
    remember(permalinks, key, response.permalink);
    return response.permalink;
  };
  return async (client, items) => {
    const found = new Map<string, string>();
    const work = Promise.all(
      items.map(async (item) => {
        if (!item.thread) return;
        try {
          const permalink = await resolve(client, item.thread);
          if (permalink) found.set(item.code, permalink);
        } catch (error) {
          logger.warn('no permalink for an item', { code: item.code, error: (error as Error).message });
        }
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolveBudget) => {
      timer = setTimeout(resolveBudget, PERMALINK_TIME_BUDGET_MS);
    });
    await Promise.race([work, budget]);
    clearTimeout(timer);
    return new Map(found);
  };
}
