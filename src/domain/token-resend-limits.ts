// How often a user may get a new token (README "Importing users" → "Send me a new token"): per access, at most
// one a minute and five sent in any 24 hours, and ten attempts in any 24 hours whether the mail server took them
// or not. The one rule for the job that sends new tokens, the admin resend, and the landing page's own count of
// presses per link id (which has no failed attempts, so only the first two limits can apply to it). Pure.

export const RESEND_MIN_INTERVAL_MS = 60_000;
export const RESENDS_PER_DAY = 5;
/** Attempts in any 24 hours per access, whether the mail server took them or not. */
export const RESEND_ATTEMPTS_PER_DAY = 10;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back the limits look. */
export const RESEND_WINDOW_MS = DAY_MS;

/** Which limit refused: one a minute, five sent a day, or ten attempts a day (sent or not). */
export type ResendLimit = 'minute' | 'day' | 'attempts';

/** The limit an attempt now would pass, with when it no longer would; undefined when it passes none. */
export function resendLimitReached(
  attempts: ReadonlyArray<{ createdAt: Date; error: string | null }>,
  now: Date,
): { limit: ResendLimit; retryAt: Date } | undefined {
  // Sent, or on their way: what the one a minute and the five a day count.
  const recent = attempts.filter((attempt) => attempt.error === null);
  const last = recent.at(-1);
  if (last && last.createdAt.getTime() > now.getTime() - RESEND_MIN_INTERVAL_MS)
    return { limit: 'minute', retryAt: new Date(last.createdAt.getTime() + RESEND_MIN_INTERVAL_MS) };
  if (recent.length >= RESENDS_PER_DAY) {
    // Rolling window: the next one is possible when the oldest of the last five leaves it.
    const oldest = recent[recent.length - RESENDS_PER_DAY]!;
    return { limit: 'day', retryAt: new Date(oldest.createdAt.getTime() + DAY_MS) };
  }
  if (attempts.length >= RESEND_ATTEMPTS_PER_DAY) {
    const oldest = attempts[attempts.length - RESEND_ATTEMPTS_PER_DAY]!;
    return { limit: 'attempts', retryAt: new Date(oldest.createdAt.getTime() + DAY_MS) };
  }
  return undefined;
}
