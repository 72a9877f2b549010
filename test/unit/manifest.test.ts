// Every command, event and interactive callback the code registers is declared in both manifests, and
// everything the manifests declare is handled (a handler without its manifest entry never receives
// anything; a manifest entry without a handler leaves users clicking on nothing).
import { readFileSync } from 'node:fs';
import type { App } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createLogger } from '../../src/logger.ts';
import type { AppDeps } from '../../src/app-deps.ts';
import { SLACK_EVENTS_PATH } from '../../src/slack/ids.ts';
import { registerSlackListeners, slackListenerCatalog } from '../../src/slack/listeners.ts';

interface Manifest {
  display_information: { name: string; description?: string; long_description?: string };
  features: {
    app_home?: { home_tab_enabled?: boolean; messages_tab_enabled?: boolean };
    slash_commands?: Array<{ command: string; url?: string; description: string; usage_hint?: string }>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    interactivity: { is_enabled: boolean; request_url?: string; message_menu_options_url?: string };
    socket_mode_enabled: boolean;
  };
}

const manifests: Record<'http' | 'socket', Manifest> = {
  http: parse(readFileSync('slack-manifest.yml', 'utf8')) as Manifest,
  socket: parse(readFileSync('manifests/socket-mode.yml', 'utf8')) as Manifest,
};

function recordRegistrations() {
  const registered = {
    commands: [] as string[],
    events: [] as string[],
    actions: [] as string[],
    views: [] as string[],
    options: [] as string[],
  };
  const idOf = (constraint: unknown): string => {
    if (typeof constraint === 'string') return constraint;
    const object = constraint as { action_id?: string; callback_id?: string; block_id?: string };
    return object.action_id ?? object.callback_id ?? object.block_id ?? String(constraint);
  };
  const fakeApp = {
    command: (name: unknown) => registered.commands.push(idOf(name)),
    event: (name: unknown) => registered.events.push(idOf(name)),
    action: (constraint: unknown) => registered.actions.push(idOf(constraint)),
    view: (constraint: unknown) => registered.views.push(idOf(constraint)),
    options: (constraint: unknown) => registered.options.push(idOf(constraint)),
    use: () => undefined,
    error: () => undefined,
    message: () => {
      throw new Error('message listeners need message.* events in the manifests; declare them in the catalog');
    },
    shortcut: () => {
      throw new Error('shortcuts need a manifest entry; declare them in the catalog');
    },
  };
  registerSlackListeners(fakeApp as unknown as App, { logger: createLogger({ write: () => undefined }) } as AppDeps);
  return registered;
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

describe('the Slack listener catalog', () => {
  it('lists exactly what registerSlackListeners registers', () => {
    const registered = recordRegistrations();
    expect(sorted(registered.commands)).toEqual(sorted(slackListenerCatalog.commands));
    expect(sorted(registered.events)).toEqual(
      sorted([...slackListenerCatalog.events, ...(slackListenerCatalog.appHome ? ['app_home_opened'] : [])]),
    );
    expect(sorted(registered.actions)).toEqual(sorted(slackListenerCatalog.actions));
    expect(sorted(registered.views)).toEqual(sorted(slackListenerCatalog.views));
    expect(sorted(registered.options)).toEqual(sorted(slackListenerCatalog.options));
  });
});

describe.each(['http', 'socket'] as const)('the %s manifest', (mode) => {
  const manifest = manifests[mode];
  const catalog = slackListenerCatalog;
  const interactive = catalog.actions.length + catalog.views.length + catalog.options.length > 0;

  it('declares every slash command that is handled, and no other', () => {
    expect(sorted((manifest.features.slash_commands ?? []).map((entry) => entry.command))).toEqual(
      sorted(catalog.commands),
    );
  });

  it('subscribes to every handled event, and no other', () => {
    const expected = [...catalog.events, ...(catalog.appHome ? ['app_home_opened'] : [])];
    expect(sorted(manifest.settings.event_subscriptions?.bot_events ?? [])).toEqual(sorted(expected));
  });

  it('enables interactivity exactly when buttons, modals or menus are handled', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(interactive);
    expect(manifest.settings.interactivity.message_menu_options_url !== undefined).toBe(
      mode === 'http' && catalog.options.length > 0,
    );
  });

  it('shows the Home tab exactly when it is published', () => {
    expect(manifest.features.app_home?.home_tab_enabled ?? false).toBe(catalog.appHome);
    // Direct messages from the bot (summaries, status changes) land in the Messages tab.
    expect(manifest.features.app_home?.messages_tab_enabled).toBe(true);
  });

  it('is valid against the manifest schema limits', () => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect((manifest.display_information.description ?? '').length).toBeLessThanOrEqual(140);
    const long = manifest.display_information.long_description ?? '';
    expect(long.length).toBeGreaterThanOrEqual(175);
    expect(long.length).toBeLessThanOrEqual(4000);
    for (const command of manifest.features.slash_commands ?? []) {
      expect(command.command).toMatch(/^\/[a-z0-9_-]{1,31}$/);
      expect(command.description.length).toBeGreaterThan(0);
    }
    expect(manifest.oauth_config.scopes.bot).toContain('commands');
  });

  if (mode === 'http') {
    it('sends every request to /slack/events', () => {
      const urls = [
        ...(manifest.features.slash_commands ?? []).map((entry) => entry.url),
        manifest.settings.event_subscriptions?.request_url,
        manifest.settings.interactivity.request_url,
        manifest.settings.interactivity.message_menu_options_url,
      ].filter((url): url is string => url !== undefined);
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) expect(new URL(url).pathname).toBe(SLACK_EVENTS_PATH);
      expect(manifest.settings.socket_mode_enabled).toBe(false);
    });
  } else {
    it('uses Socket Mode and no request URL', () => {
      expect(manifest.settings.socket_mode_enabled).toBe(true);
      expect(JSON.stringify(manifest)).not.toContain('https://');
    });
  }
});

describe('the two manifests', () => {
  it('ask for the same scopes and declare the same features', () => {
    const strip = (manifest: Manifest) => {
      const copy = structuredClone(manifest);
      for (const command of copy.features.slash_commands ?? []) delete command.url;
      delete copy.settings.event_subscriptions?.request_url;
      delete copy.settings.interactivity.request_url;
      delete copy.settings.interactivity.message_menu_options_url;
      copy.settings.socket_mode_enabled = false;
      return copy;
    };
    expect(strip(manifests.socket)).toEqual(strip(manifests.http));
  });
});
