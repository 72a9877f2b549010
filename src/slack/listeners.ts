// The single list of everything the app listens to on Slack. `registerSlackListeners` wires it into Bolt,
// and test/unit/manifest.test.ts checks it against slack-manifest.yml and manifests/socket-mode.yml, so a
// handler cannot exist without its manifest entry, nor a manifest entry without its handler.
import type { App } from '@slack/bolt';
import { createDomumCommandListener } from './commands/domum-command.ts';
import type { AppDeps } from './deps.ts';
import { SLASH_COMMAND } from './ids.ts';
import { createRequestLogMiddleware } from './request-log.ts';

export interface SlackListenerCatalog {
  commands: string[];
  events: string[];
  actions: string[];
  views: string[];
  options: string[];
  /** Whether the App Home tab is published (needs app_home_opened and the Home tab enabled). */
  appHome: boolean;
}

export const slackListenerCatalog: SlackListenerCatalog = {
  commands: [SLASH_COMMAND],
  events: [],
  actions: [],
  views: [],
  options: [],
  appHome: false,
};

export function registerSlackListeners(app: App, deps: AppDeps): void {
  app.use(createRequestLogMiddleware(deps.logger.child({ component: 'slack' })));
  app.command(SLASH_COMMAND, createDomumCommandListener(deps));
}
