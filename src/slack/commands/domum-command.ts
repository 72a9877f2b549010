// `/domum <subcommand> …`: one registered command, subcommands parsed here (Slack allows one command per
// name, and names are what admins remember).
import { z } from 'zod';
import { buildHelpMessage } from '../blocks/help-message.ts';
import type { SubcommandHelp } from '../blocks/help-message.ts';
import type { AppDeps } from '../../app-deps.ts';
import { cancelSubcommand } from './cancel-command.ts';
import { extendSubcommand } from './extend-command.ts';
import { importSubcommand } from './import-command.ts';
import { statusSubcommand } from './status-command.ts';
import { templateSubcommand } from './template-command.ts';
import type { CommandArgs, Subcommand } from './subcommand.ts';

const helpSubcommand: Subcommand = {
  name: 'help',
  usage: 'help',
  description: 'show this list',
  run: async ({ ack }) => {
    await ack({ response_type: 'ephemeral', ...buildHelpMessage(subcommandHelp()) });
  },
};

/** Every subcommand, in the order help lists them. */
export const subcommands: readonly Subcommand[] = [
  importSubcommand,
  statusSubcommand,
  cancelSubcommand,
  extendSubcommand,
  templateSubcommand,
  helpSubcommand,
];

function subcommandHelp(): SubcommandHelp[] {
  return subcommands.map(({ usage, description }) => ({ usage, description }));
}

export function parseCommandText(text: string): { name: string; rest: string } {
  const trimmed = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  if (!match) return { name: 'help', rest: '' };
  return { name: (match[1] ?? '').toLowerCase(), rest: (match[2] ?? '').trim() };
}

// The fields the subcommands read. Bolt passes the form through as it came: a field repeated in the body
// arrives as a list, a missing one as undefined. Slack always sends them as strings; anything else did not
// come from Slack's client and gets a plain answer instead of an error inside a subcommand.
const commandFields = z.object({
  text: z.string().optional(),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  trigger_id: z.string().min(1),
  response_url: z.url({ protocol: /^https?$/ }),
});

export const MALFORMED_COMMAND_TEXT = 'This command did not come through as Slack sends it. Try `/domum help`.';

export function createDomumCommandListener(deps: AppDeps) {
  return async (args: CommandArgs): Promise<void> => {
    if (!commandFields.safeParse(args.command).success) {
      await args.ack({ response_type: 'ephemeral', text: MALFORMED_COMMAND_TEXT });
      return;
    }
    const { name, rest } = parseCommandText(args.command.text ?? '');
    const subcommand = subcommands.find((entry) => entry.name === name);
    if (!subcommand) {
      await args.ack({ response_type: 'ephemeral', ...buildHelpMessage(subcommandHelp(), name) });
      return;
    }
    await subcommand.run(args, rest, deps);
  };
}
