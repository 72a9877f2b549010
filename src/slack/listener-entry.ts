// How a folder's index.ts lists its listeners: each entry names what it answers (the command, event, action id
// or callback id the manifests declare) and registers its listener on Bolt. listeners.ts builds the manifests'
// catalog from these same lists, so no listener is registered without being in the catalog.
import type {
  App,
  Middleware,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewAction,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import type { AppDeps } from '../app-deps.ts';

export interface ListenerEntry {
  /** The command, event, action id or callback id, as the manifests declare it. */
  id: string;
  register(app: App, deps: AppDeps): void;
}

/** A listener built from the app's deps; each listener file exports one such function. */
type CreateListener<Args> = (deps: AppDeps) => Middleware<Args>;

export function onCommand(command: string, create: CreateListener<SlackCommandMiddlewareArgs>): ListenerEntry {
  return { id: command, register: (app, deps) => app.command(command, create(deps)) };
}

export function onEvent<EventType extends string>(
  event: EventType,
  create: CreateListener<SlackEventMiddlewareArgs<EventType>>,
): ListenerEntry {
  return { id: event, register: (app, deps) => app.event(event, create(deps)) };
}

export function onAction<Action extends SlackAction>(
  actionId: string,
  create: CreateListener<SlackActionMiddlewareArgs<Action>>,
): ListenerEntry {
  return { id: actionId, register: (app, deps) => app.action(actionId, create(deps)) };
}

/** A view submission (the default), or with `type` the view_closed of a modal that asks for it. */
export function onView<ViewAction extends SlackViewAction>(
  callbackId: string,
  create: CreateListener<SlackViewMiddlewareArgs<ViewAction>>,
  type?: 'view_submission' | 'view_closed',
): ListenerEntry {
  return {
    id: callbackId,
    register: (app, deps) => {
      if (type) app.view({ callback_id: callbackId, type }, create(deps));
      else app.view(callbackId, create(deps));
    },
  };
}

/** The options of an external select (block_suggestion), routed by the select's action id. */
export function onOptions(
  actionId: string,
  create: CreateListener<SlackOptionsMiddlewareArgs<'block_suggestion'>>,
): ListenerEntry {
  return { id: actionId, register: (app, deps) => app.options(actionId, create(deps)) };
}

export function registerEntries(app: App, deps: AppDeps, entries: readonly ListenerEntry[]): void {
  for (const entry of entries) entry.register(app, deps);
}
