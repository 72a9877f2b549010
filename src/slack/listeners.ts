// Everything the app listens to on Slack. Each surface's folder lists its listeners in its index.ts;
// registerSlackListeners registers them, and slackListenerCatalog is built from the same lists for
// test/unit/manifest.test.ts, which checks it against slack-manifest.yml and manifests/socket-mode.yml: a
// handler cannot exist without its manifest entry, nor a manifest entry without its handler.
import type { App } from '@slack/bolt';
import type { AppDeps } from '../app-deps.ts';
import { actionListeners, registerActions } from './actions/index.ts';
import { commandListeners, registerCommands } from './commands/index.ts';
import { eventListeners, registerEvents } from './events/index.ts';
import type { ListenerEntry } from './listener-entry.ts';
import { optionsListeners, registerOptions } from './options/index.ts';
import { createRequestLogMiddleware } from './request-log.ts';
import { registerViews, viewListeners } from './views/index.ts';

export interface SlackListenerCatalog {
  commands: string[];
  events: string[];
  actions: string[];
  views: string[];
  options: string[];
  /** Whether the App Home tab is published (needs app_home_opened and the Home tab enabled). */
  appHome: boolean;
}

/** The ids the entries answer, once each (a modal's submission and its closing share a callback id). */
function idsOf(entries: readonly ListenerEntry[]): string[] {
  return [...new Set(entries.map((entry) => entry.id))];
}

const APP_HOME_OPENED = 'app_home_opened';

export const slackListenerCatalog: SlackListenerCatalog = {
  commands: idsOf(commandListeners),
  // The manifests declare app_home_opened with the Home tab, so the catalog says it as appHome.
  events: idsOf(eventListeners).filter((event) => event !== APP_HOME_OPENED),
  actions: idsOf(actionListeners),
  views: idsOf(viewListeners),
  options: idsOf(optionsListeners),
  appHome: idsOf(eventListeners).includes(APP_HOME_OPENED),
};

export function registerSlackListeners(app: App, deps: AppDeps): void {
  app.use(createRequestLogMiddleware(deps.logger.child({ component: 'slack' })));
  registerCommands(app, deps);
  registerEvents(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerOptions(app, deps);
}
