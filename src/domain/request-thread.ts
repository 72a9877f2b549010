// Where everything about a request is said: the thread of its card. The card hangs in the upload's thread when
// it went to the import's channel (path B), and is the thread's first message otherwise (path A, or a card
// sent by direct message because the bot could not post in the channel). One rule for every reply.

export interface RequestPlaces {
  channel_id: string | null;
  thread_ts: string | null;
  card_channel_id: string | null;
  card_ts: string | null;
}

/**
 * The conversation and thread of the request's replies. Before its card is posted (its job still retrying),
 * the import's channel, in the upload's thread if there was one; undefined when there is nowhere to say it.
 */
export function requestThread(request: RequestPlaces): { channel: string; threadTs: string | null } | undefined {
  if (request.card_channel_id && request.card_ts) {
    const threadTs =
      request.card_channel_id === request.channel_id && request.thread_ts ? request.thread_ts : request.card_ts;
    return { channel: request.card_channel_id, threadTs };
  }
  return request.channel_id ? { channel: request.channel_id, threadTs: request.thread_ts } : undefined;
}
