// Issue 13: random bytes and random Slack payloads at /slack/events — JSON event envelopes, form-encoded
// `payload=` bodies (block_actions, view_submission, block_suggestion, view_closed, shortcuts), slash
// commands, url_verification and ssl_check — shaped like what Slack sends but with fields missing or of the
// wrong type at every level, aimed at the action ids, callback ids and commands the app listens to. Each is
// signed correctly, signed with a wrong secret or a stale timestamp, or not signed at all. The app runs as a
// child process (`domum start`); afterwards it is alive, answers /healthz, and wrote no unhandled-rejection
// or uncaught-exception line.
//
// The inputs are drawn from a seed printed in every failure: FUZZ_SEED=<seed> replays a run.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { slackListenerCatalog } from '../../src/slack/listeners.ts';
import * as slackIds from '../../src/slack/ids.ts';
import {
  CHILD_SIGNING_SECRET,
  childEnvironment,
  seedChildDatabase,
  startChildApp,
  temporaryDataDir,
} from '../support/child-app.ts';
import type { ChildApp } from '../support/child-app.ts';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { signSlackRequest } from '../support/slack-driver.ts';
import { slashCommandFields } from '../support/slash-command.ts';
import { createTestDatabase } from '../support/test-database.ts';

const RUNS = { bytes: 120, events: 100, interactive: 240, commands: 120 };
/** Requests in flight at once: a payload no listener takes is answered only after Bolt's 3 s ack timeout. */
const CONCURRENCY = 64;
const TEAM = 'T0TEAM001';
const USER = 'U0FUZZ001';
const FORM = 'application/x-www-form-urlencoded';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

// ---------------------------------------------------------------------------------------------------------
// Shapes.

/** Every string constant the Slack adapter's id module exports: block ids, action ids, callback ids. */
const KNOWN_IDS = [
  ...new Set(
    Object.values(slackIds as Record<string, unknown>).filter((value): value is string => typeof value === 'string'),
  ),
];

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '1', '-1', '0', '1e999', 'NaN', 'null', '{}', '[]', '<script>', '%00', 'W000001', 'device:1'),
);

/** A value of some other type than the one Slack sends. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  text,
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.constant({ __proto__: { polluted: true } }),
);

/**
 * The template with each field kept (most of the time), left out, or replaced by a value of the wrong type,
 * recursively: the shapes a listener's parsing must survive.
 */
function shaped(template: unknown): fc.Arbitrary<unknown> {
  if (Array.isArray(template))
    return fc.oneof({ weight: 4, arbitrary: fc.tuple(...template.map(shaped)) }, { weight: 1, arbitrary: wrongValue });
  if (template !== null && typeof template === 'object') {
    const fields = Object.fromEntries(Object.entries(template).map(([key, value]) => [key, shaped(value)]));
    const keys = Object.keys(fields);
    return fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record(fields, { requiredKeys: keys.filter((_, index) => index % 3 !== 2) }),
      },
      { weight: 1, arbitrary: wrongValue },
    );
  }
  return fc.oneof({ weight: 4, arbitrary: fc.constant(template) }, { weight: 1, arbitrary: wrongValue });
}

const stateValues = fc.dictionary(
  fc.oneof(fc.constantFrom(...KNOWN_IDS), fc.string({ maxLength: 8 })),
  fc.dictionary(
    fc.constantFrom(...KNOWN_IDS),
    fc.oneof(
      fc.record({ type: fc.constant('plain_text_input'), value: text }),
      fc.record({ type: fc.constant('static_select'), selected_option: fc.record({ value: text }) }),
      fc.record({
        type: fc.constant('multi_external_select'),
        selected_options: fc.array(fc.record({ value: text }), { maxLength: 3 }),
      }),
      fc.record({ type: fc.constant('checkboxes'), selected_options: fc.array(fc.record({ value: text })) }),
      fc.record({ type: fc.constant('datetimepicker'), selected_date_time: fc.integer() }),
      fc.record({ type: fc.constant('file_input'), files: fc.array(fc.record({ id: text, name: text })) }),
      wrongValue,
    ),
    { maxKeys: 3 },
  ),
  { maxKeys: 4 },
);

function view(callbackId: string, values: unknown, metadata: string) {
  return {
    id: 'V0FUZZ001',
    type: 'modal',
    callback_id: callbackId,
    private_metadata: metadata,
    hash: '1.abc',
    root_view_id: 'V0FUZZ001',
    state: { values },
    blocks: [],
  };
}

const privateMetadata = fc.oneof(
  text,
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  fc
    .record({ requestId: fc.oneof(fc.integer(), text), draftId: fc.oneof(fc.integer(), text), step: text })
    .map((value) => JSON.stringify(value)),
);

const envelope = { team: { id: TEAM, domain: 'fuzz' }, api_app_id: 'A0APP0001', token: 'verification-token' };
const user = { id: USER, team_id: TEAM, name: 'fuzz' };

const blockActions = fc
  .tuple(fc.constantFrom(...slackListenerCatalog.actions, 'no_such_action'), text, stateValues, privateMetadata)
  .chain(([actionId, value, values, metadata]) =>
    shaped({
      ...envelope,
      type: 'block_actions',
      user,
      trigger_id: '1.2.abc',
      channel: { id: 'C0FUZZ001' },
      container: { type: 'message', channel_id: 'C0FUZZ001', message_ts: '1.000001' },
      message: { ts: '1.000001', text: 'card', blocks: [] },
      response_url: 'http://127.0.0.1:9/response-url',
      actions: [{ type: 'button', action_id: actionId, block_id: 'block', value, action_ts: '1.2' }],
      view: view(slackIds.WIZARD_CALLBACKS.general, values, metadata),
      state: { values },
    }),
  );

const viewSubmission = fc
  .tuple(
    fc.constantFrom(...slackListenerCatalog.views, 'no_such_view'),
    fc.constantFrom('view_submission', 'view_closed'),
    stateValues,
    privateMetadata,
  )
  .chain(([callbackId, type, values, metadata]) =>
    shaped({
      ...envelope,
      type,
      user,
      trigger_id: '1.2.abc',
      view: view(callbackId, values, metadata),
      response_urls: [],
    }),
  );

const blockSuggestion = fc
  .tuple(fc.constantFrom(...slackListenerCatalog.options, 'no_such_options'), text, stateValues, privateMetadata)
  .chain(([actionId, value, values, metadata]) =>
    shaped({
      ...envelope,
      type: 'block_suggestion',
      user,
      action_id: actionId,
      block_id: 'block',
      value,
      view: view(slackIds.WIZARD_CALLBACKS.devices, values, metadata),
    }),
  );

const otherInteractive = fc
  .constantFrom('shortcut', 'message_action', 'interactive_message', 'dialog_submission', 'workflow_step_edit', text)
  .chain((type) => shaped({ ...envelope, type, user, callback_id: 'fuzz', trigger_id: '1.2.abc' }));

const interactivePayload = fc.oneof(blockActions, viewSubmission, blockSuggestion, otherInteractive);

const eventCallback = fc
  .tuple(fc.constantFrom(...slackListenerCatalog.events, 'app_home_opened', 'message', 'app_mention', 'x'), text)
  .chain(([type, value]) =>
    shaped({
      token: 'verification-token',
      team_id: TEAM,
      api_app_id: 'A0APP0001',
      type: 'event_callback',
      event_id: 'Ev0FUZZ001',
      event_time: 1,
      authorizations: [{ team_id: TEAM, user_id: 'U0BOT0001', is_bot: true }],
      event: {
        type,
        user: USER,
        channel: 'C0FUZZ001',
        tab: 'home',
        file_id: value,
        file: { id: value },
        user_id: USER,
        channel_id: 'D0FUZZ001',
        event_ts: '1.000001',
        text: value,
      },
    }),
  );

const jsonBody = fc.oneof(
  { weight: 4, arbitrary: eventCallback },
  { weight: 1, arbitrary: shaped({ token: 'verification-token', type: 'url_verification', challenge: 'c' }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A plain command, as Slack sends it, whose fields the fuzzer keeps, replaces, repeats or leaves out. */
const plainCommand = slashCommandFields({ text: '', userId: USER, channelId: 'C0FUZZ001', triggerId: '1.2.abc' });

/** Form fields as strings, repeated (`text=a&text=b`, which Bolt reads as an array) or left out. */
const commandFields = fc
  .record({
    command: fc.oneof(fc.constant(plainCommand.command), text),
    text: fc.oneof(
      fc.constantFrom('import', 'status', 'status W000001', 'cancel', 'cancel W000001', 'template', 'help', ''),
      text,
    ),
    user_id: fc.oneof(fc.constant(plainCommand.user_id), text),
    user_name: text,
    team_id: fc.oneof(fc.constant(plainCommand.team_id), text),
    channel_id: fc.oneof(fc.constant(plainCommand.channel_id), fc.constant('D0FUZZ001'), text),
    channel_name: text,
    trigger_id: fc.oneof(fc.constant(plainCommand.trigger_id), text),
    response_url: fc.constant(plainCommand.response_url),
    api_app_id: fc.constant(plainCommand.api_app_id),
    token: fc.constant(plainCommand.token),
  })
  .chain((fields) =>
    fc.tuple(
      ...Object.entries(fields).map(([name, value]) =>
        fc.oneof(
          { weight: 6, arbitrary: fc.constant([[name, value]]) },
          { weight: 1, arbitrary: fc.constant([]) },
          {
            weight: 1,
            arbitrary: fc.array(text, { minLength: 2, maxLength: 3 }).map((values) => values.map((v) => [name, v])),
          },
        ),
      ),
    ),
  )
  .map((pairs) => new URLSearchParams(pairs.flat() as Array<[string, string]>).toString());

// ---------------------------------------------------------------------------------------------------------
// Requests.

type Signing = 'signed' | 'wrong-secret' | 'stale' | 'unsigned' | 'garbage-signature';
const signing = fc.constantFrom<Signing>(
  'signed',
  'signed',
  'signed',
  'wrong-secret',
  'stale',
  'unsigned',
  'garbage-signature',
);

interface FuzzRequest {
  kind: string;
  body: Buffer;
  contentType: string | undefined;
  signing: Signing;
}

const contentType = fc.constantFrom(
  'application/json',
  FORM,
  `${FORM}; charset=utf-8`,
  'text/plain',
  'multipart/form-data; boundary=x',
  undefined,
);

const requests: Record<keyof typeof RUNS, fc.Arbitrary<FuzzRequest>> = {
  bytes: fc
    .tuple(fc.uint8Array({ maxLength: 4096 }), contentType, signing)
    .map(([bytes, type, sign]) => ({ kind: 'bytes', body: Buffer.from(bytes), contentType: type, signing: sign })),
  events: fc.tuple(jsonBody, signing).map(([body, sign]) => ({
    kind: 'json',
    body: Buffer.from(JSON.stringify(body) ?? 'null'),
    contentType: 'application/json',
    signing: sign,
  })),
  interactive: fc.tuple(interactivePayload, signing, fc.boolean()).map(([payload, sign, asSslCheck]) => ({
    kind: 'payload',
    body: Buffer.from(
      new URLSearchParams({
        payload: JSON.stringify(payload) ?? 'null',
        ...(asSslCheck ? { ssl_check: '1' } : {}),
      }).toString(),
    ),
    contentType: FORM,
    signing: sign,
  })),
  commands: fc.tuple(commandFields, signing).map(([body, sign]) => ({
    kind: 'command',
    body: Buffer.from(body),
    contentType: FORM,
    signing: sign,
  })),
};

/** What once ended the process, always sent: Bolt read `body.ssl_check` of a body that parsed to null. */
const KNOWN_CRASHERS: FuzzRequest[] = [
  { kind: 'null json', body: Buffer.from('null'), contentType: 'application/json', signing: 'signed' },
  { kind: 'null payload', body: Buffer.from('payload=null'), contentType: FORM, signing: 'signed' },
];

function signatureHeaders(request: FuzzRequest): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const raw = request.body.toString();
  switch (request.signing) {
    case 'unsigned':
      return {};
    case 'garbage-signature':
      return { 'x-slack-request-timestamp': 'soon', 'x-slack-signature': 'v1=zz' };
    case 'stale':
      return {
        'x-slack-request-timestamp': String(now - 600),
        'x-slack-signature': signSlackRequest(CHILD_SIGNING_SECRET, now - 600, raw),
      };
    case 'wrong-secret':
      return { 'x-slack-request-timestamp': String(now), 'x-slack-signature': signSlackRequest('wrong', now, raw) };
    case 'signed':
      return {
        'x-slack-request-timestamp': String(now),
        'x-slack-signature': signSlackRequest(CHILD_SIGNING_SECRET, now, raw),
      };
  }
}

async function send(app: ChildApp, request: FuzzRequest): Promise<number> {
  const response = await fetch(`${app.baseUrl}/slack/events`, {
    method: 'POST',
    headers: { ...(request.contentType ? { 'content-type': request.contentType } : {}), ...signatureHeaders(request) },
    body: request.body,
  });
  await response.arrayBuffer();
  return response.status;
}

async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

function crashLines(app: ChildApp): string[] {
  return `${app.stdout()}\n${app.stderr()}`
    .split('\n')
    .filter((line) => /unhandled.?rejection|uncaught.?exception|ERR_UNHANDLED_REJECTION/i.test(line));
}

describe('/slack/events under fuzzing', () => {
  it('answers every request, signed or not, and the process never crashes', async () => {
    const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
    const started = Date.now();
    const slackApi = await startFakeSlackApi();
    closers.push(() => slackApi.close());
    const database = await createTestDatabase();
    const env = childEnvironment({ slackApi, database, dataDir: await temporaryDataDir() });
    await seedChildDatabase(database, env['DATA_DIR'] ?? '', async (handle) => {
      await seedCatalog(handle.db);
    });
    const app = await startChildApp({ env });
    let exit: unknown;
    void app.exited.then((result) => (exit = result));
    const fuzzingFrom = Date.now();

    const batch = [
      ...KNOWN_CRASHERS,
      ...(Object.keys(RUNS) as Array<keyof typeof RUNS>).flatMap((kind, index) =>
        fc.sample(requests[kind], { numRuns: RUNS[kind], seed: seed + index }),
      ),
    ];
    const statuses = new Map<string, number>();
    await inParallel(batch, CONCURRENCY, async (request) => {
      if (exit !== undefined) return;
      const status = await send(app, request).catch((error: unknown) => {
        throw new Error(
          `seed ${seed}: ${request.kind} (${request.signing}) got no answer: ${String(error)}\n` +
            `body: ${request.body.toString('latin1').slice(0, 500)}\nexit: ${JSON.stringify(exit)}\n${app.stderr().slice(-2000)}`,
        );
      });
      if (KNOWN_CRASHERS.includes(request)) expect(status, request.kind).toBe(400);
      const key = `${request.kind} ${request.signing} ${status}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      // Refused before any listener: a bad or missing signature is always 401, whatever the body.
      if (request.signing !== 'signed' && !request.body.toString().includes('ssl_check=1'))
        expect([400, 401], `seed ${seed}: ${request.kind} ${request.signing}`).toContain(status);
      expect(status, `seed ${seed}: ${request.kind} ${request.signing}`).toBeLessThan(600);
    });

    expect(exit, `seed ${seed}: the process exited`).toBeUndefined();
    const health = await fetch(`${app.baseUrl}/healthz`);
    expect(health.status, `seed ${seed}`).toBe(200);
    expect(crashLines(app), `seed ${seed}`).toEqual([]);
    process.stdout.write(
      `slack-events-fuzz (${database.kind}, seed ${seed}): ${batch.length} requests in ${Date.now() - fuzzingFrom} ms ` +
        `after ${fuzzingFrom - started} ms of set-up; ` +
        `${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`,
    );
  }, 120_000);
});
