// Who asked for an access, as the emails to its third-party user name them (README "Importing users" → the
// emails): the requester's name as Slack shows it (users.info) and the organisation — ORGANISATION_NAME, or the
// workspace's name (auth.test, no extra scope). Read at send time rather than stored with the request, so a
// resend names the requester as they are called now; cached for an hour, since a provisioning run of thousands
// of accesses has one requester. Slack being unreachable must not hold back the emails: the name is then left
// out (a warning is logged) and the emails still say the organisation and why.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import type { DescribeRequester } from '../usecases/access-emails.ts';

const CACHE_MS = 60 * 60 * 1000;

export function createRequesterDirectory(
  client: WebClient,
  logger: Logger,
  organisationName: string | undefined,
  now: () => Date = () => new Date(),
): DescribeRequester {
  const names = new Map<string, { name: string; until: number }>();
  let workspaceName: string | undefined;

  const nameOf = async (userId: string): Promise<string | undefined> => {
    const cached = names.get(userId);
    if (cached && cached.until > now().getTime()) return cached.name;
    try {
      const { user } = await client.users.info({ user: userId });
      const name = [user?.profile?.real_name, user?.real_name, user?.profile?.display_name, user?.name]
        .map((candidate) => candidate?.trim())
        .find(Boolean);
      if (name) names.set(userId, { name, until: now().getTime() + CACHE_MS });
      return name;
    } catch (error) {
      logger.warn('requester name unavailable; the emails leave it out', { user: userId, error });
      return undefined;
    }
  };

  const organisation = async (): Promise<string | undefined> => {
    if (organisationName) return organisationName;
    if (workspaceName) return workspaceName;
    try {
      workspaceName = (await client.auth.test()).team?.trim() || undefined;
    } catch (error) {
      logger.warn('workspace name unavailable; the emails leave the organisation out', { error });
    }
    return workspaceName;
  };

  return async (userId) => {
    const [name, organisationOf] = await Promise.all([nameOf(userId), organisation()]);
    return { name, organisation: organisationOf };
  };
}
