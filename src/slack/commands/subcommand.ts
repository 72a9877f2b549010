// What a `/domum` subcommand is: its help line and the function that runs it. Kept apart from
// domum-command.ts, which lists the subcommands, so that each subcommand's file can import it.
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { SubcommandHelp } from '../blocks/help-message.ts';
import type { AppDeps } from '../../app-deps.ts';

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export interface Subcommand extends SubcommandHelp {
  name: string;
  /** Called after the command was parsed; must ack within Slack's 3 seconds. */
  run(args: CommandArgs, rest: string, deps: AppDeps): Promise<void>;
}
