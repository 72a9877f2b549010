// Every Events API event the app subscribes to, one file each.
import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { onEvent, registerEntries } from '../listener-entry.ts';
import type { ListenerEntry } from '../listener-entry.ts';
import { createAppHomeOpenedListener } from './app-home-opened.ts';
import { createFileSharedListener } from './file-shared.ts';

export const eventListeners: readonly ListenerEntry[] = [
  onEvent('file_shared', createFileSharedListener),
  onEvent('app_home_opened', createAppHomeOpenedListener),
];

export function registerEvents(app: App, deps: AppDeps): void {
  registerEntries(app, deps, eventListeners);
}
