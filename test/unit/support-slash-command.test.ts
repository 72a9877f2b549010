import { describe, expect, it } from 'vitest';
import {
  TEST_WORKSPACE,
  UNUSABLE_RESPONSE_URL,
  slashCommandFields,
  slashCommandRequest,
} from '../support/slash-command.ts';

describe('slashCommandFields', () => {
  it('fills what Slack sends with a command, in a channel of the test workspace by default', () => {
    const fields = slashCommandFields({ text: 'status W000001', userId: 'U0ALICE01' });
    expect(fields).toEqual({
      token: TEST_WORKSPACE.verificationToken,
      team_id: 'T0TEAM001',
      team_domain: 'domum-test',
      channel_id: 'C0CHAN001',
      channel_name: 'general',
      user_id: 'U0ALICE01',
      user_name: 'u0alice01',
      command: '/domum',
      text: 'status W000001',
      api_app_id: 'A0APP0001',
      is_enterprise_install: 'false',
      response_url: UNUSABLE_RESPONSE_URL,
      trigger_id: expect.stringMatching(/^\d{10}\.\d{10}\.[0-9a-f]{32}$/),
    });
  });

  it('names a direct message channel as Slack does, and takes the workspace given', () => {
    const fields = slashCommandFields(
      { text: '', userId: 'U0ALICE01', channelId: 'D0DM00001', triggerId: '1.2.abc', responseUrl: 'http://x/r' },
      { ...TEST_WORKSPACE, teamId: 'T0OTHER01' },
    );
    expect(fields).toMatchObject({
      channel_name: 'directmessage',
      team_id: 'T0OTHER01',
      trigger_id: '1.2.abc',
      response_url: 'http://x/r',
    });
  });
});

describe('slashCommandRequest', () => {
  it('form-encodes the fields, or pairs with a field repeated', () => {
    const request = slashCommandRequest([
      ['text', 'a b'],
      ['text', 'c&d'],
    ]);
    expect(request).toEqual({ body: 'text=a+b&text=c%26d', contentType: 'application/x-www-form-urlencoded' });
    const fields = slashCommandFields({ text: 'help', userId: 'U0ALICE01' });
    expect(Object.fromEntries(new URLSearchParams(slashCommandRequest(fields).body))).toEqual(fields);
  });
});
