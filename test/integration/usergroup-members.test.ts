// Approvers listed as a Slack user group: members read with usergroups.users.list (Tier 2), cached for
// minutes where they are only shown, read again for every decision, and on a free workspace
// (plan_upgrade_required) only the listed approvers count.
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, toSlackLogger } from '../../src/logger.ts';
import { slackClientOptions } from '../../src/slack/client-options.ts';
import { createCurrentUsergroupMembers, createUsergroupMembers } from '../../src/slack/usergroup-members.ts';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';

const quiet = createLogger({ level: 'error', write: () => undefined });
const apis: FakeSlackApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

async function setUp(now: () => Date) {
  const api = await startFakeSlackApi();
  apis.push(api);
  const client = new WebClient(api.botToken, slackClientOptions(api.url, toSlackLogger(quiet, 'error')));
  return {
    api,
    members: createUsergroupMembers(client, quiet, now),
    currentMembers: createCurrentUsergroupMembers(client, quiet),
  };
}

describe('user group members', () => {
  it('are read once and cached for a few minutes', async () => {
    let clock = new Date('2026-11-25T10:00:00Z');
    const { api, members } = await setUp(() => clock);
    api.setUsergroup('S0OPS0001', ['U0OPS0001', 'U0OPS0002']);
    expect(await members('S0OPS0001')).toEqual(['U0OPS0001', 'U0OPS0002']);
    expect(await members('S0OPS0001')).toEqual(['U0OPS0001', 'U0OPS0002']);
    expect(api.callsTo('usergroups.users.list')).toHaveLength(1);
    clock = new Date(clock.getTime() + 6 * 60 * 1000);
    await members('S0OPS0001');
    expect(api.callsTo('usergroups.users.list')).toHaveLength(2);
  });

  it('count as none on a free workspace, without failing', async () => {
    const { api, members } = await setUp(() => new Date());
    api.failNext('usergroups.users.list', { body: { ok: false, error: 'plan_upgrade_required' } });
    expect(await members('S0OPS0001')).toEqual([]);
  });

  it('for deciding are read from Slack every time, a removal counting at once', async () => {
    const { api, members, currentMembers } = await setUp(() => new Date());
    api.setUsergroup('S0OPS0001', ['U0OPS0001', 'U0OPS0002']);
    expect(await members('S0OPS0001')).toEqual(['U0OPS0001', 'U0OPS0002']);
    expect(await currentMembers('S0OPS0001')).toEqual(['U0OPS0001', 'U0OPS0002']);
    api.setUsergroup('S0OPS0001', ['U0OPS0002']);
    expect(await currentMembers('S0OPS0001')).toEqual(['U0OPS0002']);
    expect(api.callsTo('usergroups.users.list')).toHaveLength(3);
    // The display cache still has the old list: that is all it is for.
    expect(await members('S0OPS0001')).toEqual(['U0OPS0001', 'U0OPS0002']);
  });

  it('for deciding share one call between reads at the same moment', async () => {
    const { api, currentMembers } = await setUp(() => new Date());
    api.setUsergroup('S0OPS0001', ['U0OPS0001']);
    const reads = await Promise.all([currentMembers('S0OPS0001'), currentMembers('S0OPS0001')]);
    expect(reads).toEqual([['U0OPS0001'], ['U0OPS0001']]);
    expect(api.callsTo('usergroups.users.list')).toHaveLength(1);
    await currentMembers('S0OPS0001');
    expect(api.callsTo('usergroups.users.list')).toHaveLength(2);
  });

  it('for deciding count as none on a free workspace, and fail when Slack fails', async () => {
    const { api, currentMembers } = await setUp(() => new Date());
    api.setUsergroup('S0OPS0001', ['U0OPS0001']);
    api.failNext('usergroups.users.list', { body: { ok: false, error: 'plan_upgrade_required' } });
    expect(await currentMembers('S0OPS0001')).toEqual([]);
    api.failNext('usergroups.users.list', { body: { ok: false, error: 'invalid_auth' } });
    await expect(currentMembers('S0OPS0001')).rejects.toThrow('invalid_auth');
  });
});
