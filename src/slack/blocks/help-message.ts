// The answer to `/domum help` and to any subcommand the app does not know (never silence).
import type { KnownBlock } from '@slack/types';
import { SLASH_COMMAND } from '../ids.ts';
import { escapeMrkdwn } from './mrkdwn.ts';

export interface SubcommandHelp {
  usage: string;
  description: string;
}

export interface HelpMessage {
  text: string;
  blocks: KnownBlock[];
}

export function buildHelpMessage(subcommands: readonly SubcommandHelp[], unknownSubcommand?: string): HelpMessage {
  const intro = unknownSubcommand
    ? `I don't know \`${escapeMrkdwn(truncate(unknownSubcommand, 40))}\`. Here is what \`${SLASH_COMMAND}\` can do:`
    : `*Domum* onboards third-party users in bulk and gives them time-boxed first access. Here is what \`${SLASH_COMMAND}\` can do:`;
  const lines = subcommands.map((entry) => `• \`${SLASH_COMMAND} ${entry.usage}\` — ${entry.description}`);
  const text = `${intro}\n${lines.join('\n')}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: intro } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
    ],
  };
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
