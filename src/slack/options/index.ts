// The external selects' options requests (block_suggestion), routed by each select's action id: the wizard's
// Devices and Credentials, and the users of "Approve except…".
import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import {
  EXCLUDED_USERS_SELECT_ACTION,
  WIZARD_CREDENTIALS_SELECT_ACTION,
  WIZARD_DEVICES_SELECT_ACTION,
} from '../ids.ts';
import { onOptions, registerEntries } from '../listener-entry.ts';
import type { ListenerEntry } from '../listener-entry.ts';
import { createCredentialOptions } from './credential-options.ts';
import { createDeviceOptions } from './device-options.ts';
import { createExcludedUserOptions } from './excluded-user-options.ts';

export const optionsListeners: readonly ListenerEntry[] = [
  onOptions(WIZARD_DEVICES_SELECT_ACTION, createDeviceOptions),
  onOptions(WIZARD_CREDENTIALS_SELECT_ACTION, createCredentialOptions),
  onOptions(EXCLUDED_USERS_SELECT_ACTION, createExcludedUserOptions),
];

export function registerOptions(app: App, deps: AppDeps): void {
  registerEntries(app, deps, optionsListeners);
}
