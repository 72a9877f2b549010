// Approvers listed as a Slack user group: members read with usergroups.users.list (Tier 2), cached for
// minutes, and on a free workspace (plan_upgrade_required) only the listed approvers count.
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, toSlackLogger } from '../../src/logger.ts';
import { slackClientOptions } from '../../src/slack/client-options.ts';
import { createUsergroupMembers } from '../../src/slack/usergroup-members.ts';
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
  return { api, members: createUsergroupMembers(client, quiet, now) };
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
});
