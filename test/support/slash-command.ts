// The fields of a `/domum` slash command as Slack sends them: the Slack driver signs and posts them as a form,
// the fake Socket Mode server pushes them as an envelope's payload, and raw-body tests take them and change one.
import { randomBytes } from 'node:crypto';
import { SLASH_COMMAND } from '../../src/slack/ids.ts';

export type SlashCommandInput = {
  text: string;
  userId: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  command?: string;
  triggerId?: string;
  /** Default: a closed local port, so a stray response_url POST can never reach hooks.slack.com. */
  responseUrl?: string;
};

/** The workspace and app every request names. */
export type SlackWorkspace = {
  teamId: string;
  teamDomain: string;
  appId: string;
  /** Legacy verification token Slack still includes in bodies. */
  verificationToken: string;
};

export type SlashCommandFields = {
  token: string;
  team_id: string;
  team_domain: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  api_app_id: string;
  is_enterprise_install: string;
  response_url: string;
  trigger_id: string;
};

export const TEST_WORKSPACE: SlackWorkspace = {
  teamId: 'T0TEAM001',
  teamDomain: 'domum-test',
  appId: 'A0APP0001',
  verificationToken: 'verification-token-for-tests',
};

export const UNUSABLE_RESPONSE_URL = 'http://127.0.0.1:9/response-url-not-configured';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export function slashCommandFields(
  input: SlashCommandInput,
  workspace: SlackWorkspace = TEST_WORKSPACE,
): SlashCommandFields {
  const channelId = input.channelId ?? 'C0CHAN001';
  return {
    token: workspace.verificationToken,
    team_id: workspace.teamId,
    team_domain: workspace.teamDomain,
    channel_id: channelId,
    channel_name: input.channelName ?? (channelId.startsWith('D') ? 'directmessage' : 'general'),
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command ?? SLASH_COMMAND,
    text: input.text,
    api_app_id: workspace.appId,
    is_enterprise_install: 'false',
    response_url: input.responseUrl ?? UNUSABLE_RESPONSE_URL,
    trigger_id: input.triggerId ?? generateTriggerId(),
  };
}

/** The form body Slack posts: the fields, or name-value pairs for a field repeated or left out. */
export function slashCommandRequest(fields: SlashCommandFields | Array<[string, string]>): {
  body: string;
  contentType: string;
} {
  return { body: new URLSearchParams(fields).toString(), contentType: FORM_CONTENT_TYPE };
}

/** Shaped like Slack's: `<digits>.<digits>.<hex>`. */
export function generateTriggerId(): string {
  const digits = (length: number): string => Array.from(randomBytes(length), (byte) => String(byte % 10)).join('');
  return `${digits(10)}.${digits(10)}.${randomBytes(16).toString('hex')}`;
}
