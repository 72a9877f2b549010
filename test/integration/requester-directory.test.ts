// Who asked for an access, as its emails name them: the requester's Slack name (users.info, cached for an hour)
// and the organisation (ORGANISATION_NAME, or the workspace's name from auth.test). Slack refusing leaves the
// name out rather than holding the emails back.
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, toSlackLogger } from '../../src/logger.ts';
import { slackClientOptions } from '../../src/slack/client-options.ts';
import { createRequesterDirectory } from '../../src/slack/requester-directory.ts';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';

const quiet = createLogger({ level: 'error', write: () => undefined });
const apis: FakeSlackApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

async function setUp(organisationName: string | undefined, now: () => Date) {
  const api = await startFakeSlackApi();
  apis.push(api);
  const client = new WebClient(api.botToken, slackClientOptions(api.url, toSlackLogger(quiet, 'error')));
  return { api, describe: createRequesterDirectory(client, quiet, organisationName, now) };
}

describe('the requester directory', () => {
  it('names the requester as Slack shows them and the workspace, each read once an hour at most', async () => {
    let clock = new Date('2026-12-04T10:00:00Z');
    const { api, describe: describeRequester } = await setUp(undefined, () => clock);
    api.setUser('U0REQ0001', { real_name: 'Maria Silva', name: 'maria' });
    expect(await describeRequester('U0REQ0001')).toEqual({ name: 'Maria Silva', organisation: 'Domum Test' });
    expect(await describeRequester('U0REQ0001')).toEqual({ name: 'Maria Silva', organisation: 'Domum Test' });
    expect(api.callsTo('users.info')).toHaveLength(1);
    expect(api.callsTo('auth.test')).toHaveLength(1);
    clock = new Date(clock.getTime() + 61 * 60 * 1000);
    api.setUser('U0REQ0001', { real_name: 'Maria Silva Santos', name: 'maria' });
    expect((await describeRequester('U0REQ0001')).name).toBe('Maria Silva Santos');
    expect(api.callsTo('auth.test')).toHaveLength(1);
  });

  it('says ORGANISATION_NAME when set, without asking Slack for the workspace', async () => {
    const { api, describe: describeRequester } = await setUp('Initech', () => new Date());
    expect((await describeRequester('U0REQ0001')).organisation).toBe('Initech');
    expect(api.callsTo('auth.test')).toHaveLength(0);
  });

  it('leaves the name out when Slack refuses, and asks again next time', async () => {
    const { api, describe: describeRequester } = await setUp(undefined, () => new Date());
    api.setHandler('users.info', () => ({ ok: false, error: 'user_not_found' }));
    expect(await describeRequester('U0GONE001')).toEqual({ name: undefined, organisation: 'Domum Test' });
    expect(await describeRequester('U0GONE001')).toEqual({ name: undefined, organisation: 'Domum Test' });
    expect(api.callsTo('users.info')).toHaveLength(2);
  });
});
