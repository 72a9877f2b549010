// `/domum <subcommand> …`: one registered command, subcommands parsed here (Slack allows one command per
// name, and names are what admins remember).
import { buildHelpMessage } from '../blocks/help-message.ts';
import type { SubcommandHelp } from '../blocks/help-message.ts';
import type { AppDeps } from '../deps.ts';
import { cancelSubcommand } from './cancel-command.ts';
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

export function createDomumCommandListener(deps: AppDeps) {
  return async (args: CommandArgs): Promise<void> => {
    const { name, rest } = parseCommandText(args.command.text ?? '');
    const subcommand = subcommands.find((entry) => entry.name === name);
    if (!subcommand) {
      await args.ack({ response_type: 'ephemeral', ...buildHelpMessage(subcommandHelp(), name) });
      return;
    }
    await subcommand.run(args, rest, deps);
  };
}
