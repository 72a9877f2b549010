// The one slash command, `/domum`; its subcommands are parsed in domum-command.ts (Slack allows one command
// per name, and names are what admins remember).
import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { SLASH_COMMAND } from '../ids.ts';
import { onCommand, registerEntries } from '../listener-entry.ts';
import type { ListenerEntry } from '../listener-entry.ts';
import { createDomumCommandListener } from './domum-command.ts';

export const commandListeners: readonly ListenerEntry[] = [onCommand(SLASH_COMMAND, createDomumCommandListener)];

export function registerCommands(app: App, deps: AppDeps): void {
  registerEntries(app, deps, commandListeners);
}
