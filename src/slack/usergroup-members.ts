// Members of a Slack user group (an access group's approver_usergroup), cached for a few minutes:
// usergroups.users.list is a Tier 2 method (about 20 calls a minute). User groups are a paid-plan feature:
// on a free workspace Slack answers plan_upgrade_required, and then only the listed approvers count.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';

const CACHE_MS = 5 * 60 * 1000;

export type UsergroupMembers = (usergroupId: string) => Promise<string[]>;

export function createUsergroupMembers(
  client: WebClient,
  logger: Logger,
  now: () => Date = () => new Date(),
): UsergroupMembers {
  const cache = new Map<string, { members: string[]; until: number }>();
  return async (usergroupId) => {
    const cached = cache.get(usergroupId);
    if (cached && cached.until > now().getTime()) return cached.members;
    try {
      const response = await client.usergroups.users.list({ usergroup: usergroupId });
      const members = response.users ?? [];
      cache.set(usergroupId, { members, until: now().getTime() + CACHE_MS });
      return members;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === 'plan_upgrade_required' || code === 'no_such_subteam' || code === 'subteam_not_found') {
        logger.warn('approver user group unavailable; only listed approvers count', {
          usergroup: usergroupId,
          reason: code,
        });
        cache.set(usergroupId, { members: [], until: now().getTime() + CACHE_MS });
        return [];
      }
      throw error;
    }
  };
}
