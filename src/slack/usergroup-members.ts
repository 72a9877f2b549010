// Members of a Slack user group (an access group's approver_usergroup). usergroups.users.list is a Tier 2
// method (about 20 calls a minute), so what is only shown (the card, the App Home, reminders) reads members
// cached for a few minutes; a decision reads them from Slack every time, so someone removed from the group
// cannot approve or reject on a membership Slack no longer has. User groups are a paid-plan feature: on a free
// workspace Slack answers plan_upgrade_required, and then only the listed approvers count.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';

const CACHE_MS = 5 * 60 * 1000;

export type UsergroupMembers = (usergroupId: string) => Promise<string[]>;

/** Members as Slack has them now, for deciding. Concurrent reads of one group share a single call. */
export function createCurrentUsergroupMembers(client: WebClient, logger: Logger): UsergroupMembers {
  const inFlight = new Map<string, Promise<string[]>>();
  return (usergroupId) => {
    let reading = inFlight.get(usergroupId);
    if (!reading) {
      reading = readUsergroupMembers(client, logger, usergroupId).finally(() => inFlight.delete(usergroupId));
      inFlight.set(usergroupId, reading);
    }
    return reading;
  };
}

/** Members as Slack had them within the last few minutes, for showing: never for deciding. */
export function createUsergroupMembers(
  client: WebClient,
  logger: Logger,
  now: () => Date = () => new Date(),
): UsergroupMembers {
  const cache = new Map<string, { members: string[]; until: number }>();
  return async (usergroupId) => {
    const cached = cache.get(usergroupId);
    if (cached && cached.until > now().getTime()) return cached.members;
    const members = await readUsergroupMembers(client, logger, usergroupId);
    cache.set(usergroupId, { members, until: now().getTime() + CACHE_MS });
    return members;
  };
}

/**
 * The two readers one process needs, built once by the composition root (src/main.ts) so that every listener
 * and job shows members from the same cache.
 */
export function createApproverGroups(
  client: WebClient,
  logger: Logger,
  now?: () => Date,
): { cached: UsergroupMembers; current: UsergroupMembers } {
  return {
    cached: createUsergroupMembers(client, logger, now),
    current: createCurrentUsergroupMembers(client, logger),
  };
}

async function readUsergroupMembers(client: WebClient, logger: Logger, usergroupId: string): Promise<string[]> {
  try {
    const response = await client.usergroups.users.list({ usergroup: usergroupId });
    return response.users ?? [];
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code === 'plan_upgrade_required' || code === 'no_such_subteam' || code === 'subteam_not_found') {
      logger.warn('approver user group unavailable; only listed approvers count', {
        usergroup: usergroupId,
        reason: code,
      });
      return [];
    }
    throw error;
  }
}
