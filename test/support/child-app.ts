// The app as operators run it — `domum <command>` in a child process, configured only through its
// environment — so a test can kill it for real (SIGKILL: no shutdown code runs, sockets die with it) and
// start it again on the same database. Also a driver that takes a request from `/domum import` to its
// approval through signed Slack requests and the fake Web API only, never the database: on the embedded
// database the child process owns the data directory while it runs.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, inject } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';
import {
  APPROVE_ACTION,
  COMMENT_BLOCK,
  DECISION_TEXT_ACTION,
  CREDENTIALS_BLOCK,
  DEVICES_BLOCK,
  REASON_BLOCK,
  WIZARD_CREDENTIALS_SELECT_ACTION,
  WIZARD_DEVICES_SELECT_ACTION,
} from '../../src/slack/ids.ts';
import type { FakeSlackApi } from './fake-slack-api.ts';
import { createSlackDriver, findElement } from './slack-driver.ts';
import type { SlackDriver } from './slack-driver.ts';
import type { TestDatabase } from './test-database.ts';
import { waitFor } from './wait-for.ts';
import {
  credentialsStepValues,
  devicesStepValues,
  generalStepValues,
  importStepValues,
  limitationStepValues,
} from './wizard-steps.ts';

export const CHILD_SIGNING_SECRET = 'child-signing-secret-0123456789abcdef';
export const CHILD_SECRET_KEY = 'child-secret-key-0123456789abcdef0123456789';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildApp {
  pid: number;
  port: number;
  baseUrl: string;
  /** Signed Slack requests to this process's /slack/events. */
  slack: SlackDriver;
  stdout(): string;
  stderr(): string;
  /** The JSON log lines written so far. */
  logs(): Array<Record<string, unknown>>;
  exited: Promise<ChildExit>;
  /** SIGKILL, as a crash or the OOM killer would: resolves once the process is gone. */
  kill(): Promise<ChildExit>;
  /** SIGTERM, as an orchestrator stopping it: resolves once it has shut down cleanly. */
  stop(): Promise<ChildExit>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `node <flags> src/cli.ts`, read from package.json's `domum` script so the test runs what operators run. */
function domumCommandLine(): string[] {
  const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const [program, ...args] = (packageJson.scripts['domum'] ?? '').split(/\s+/);
  if (program !== 'node' || args.length === 0)
    throw new Error('package.json has no `domum` script of the form `node … src/cli.ts`');
  return args;
}

/** A data directory removed after the test. */
export async function temporaryDataDir(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'domum-child-'));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

export interface ChildEnvironmentOptions {
  slackApi: FakeSlackApi;
  /** The test's database: PostgreSQL is shared through DATABASE_URL; PGlite means the child's own under DATA_DIR. */
  database: TestDatabase;
  dataDir: string;
  smtpUrl?: string;
  extra?: Record<string, string>;
}

/** Only what the configuration documents: nothing from the developer's shell leaks into the child. */
export function childEnvironment(options: ChildEnvironmentOptions): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    SLACK_BOT_TOKEN: options.slackApi.botToken,
    SLACK_SIGNING_SECRET: CHILD_SIGNING_SECRET,
    SLACK_API_URL: options.slackApi.url,
    PORT: '0',
    DATA_DIR: options.dataDir,
    SECRET_KEY: CHILD_SECRET_KEY,
    LOG_LEVEL: 'info',
    ...(options.database.databaseUrl ? { DATABASE_URL: options.database.databaseUrl } : {}),
    ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl, MAIL_FROM: 'Domum <no-reply@domum.example>' } : {}),
    ...options.extra,
  };
}

const quiet = createLogger({ level: 'error', write: () => undefined });

/**
 * Writes what a test needs (the catalog, …) before the child starts: into the test's PostgreSQL database, or
 * into a new embedded database under `dataDir` made from the migrated template, which the child then opens
 * (it only finds its migrations applied).
 */
export async function seedChildDatabase(
  database: TestDatabase,
  dataDir: string,
  seed: (handle: DatabaseHandle) => Promise<void>,
): Promise<void> {
  if (database.databaseUrl) {
    await seed(await database.open());
    return;
  }
  const provided = inject('testDatabase');
  if (provided.kind !== 'pglite') throw new Error('a PGlite test database without the PGlite template');
  const handle = await openDatabase({ dataDir, loadDump: new Blob([await readFile(provided.dumpFile)]) }, quiet);
  try {
    await seed(handle);
  } finally {
    await handle.close();
  }
}

/** The child's database after it stopped (PGlite: its data directory; PostgreSQL: the test's database). */
export async function openChildDatabase(database: TestDatabase, dataDir: string): Promise<DatabaseHandle> {
  if (database.databaseUrl) return database.open();
  const handle = await openDatabase({ dataDir }, quiet);
  cleanups.push(() => handle.close());
  return handle;
}

interface Spawned {
  process: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<ChildExit>;
}

function spawnDomum(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [...domumCommandLine(), ...args], { env, cwd: process.cwd() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<ChildExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // For investigating a failure: DOMUM_TEST_CHILD_LOGS=<dir> keeps each child's output there.
  const keepLogs = process.env['DOMUM_TEST_CHILD_LOGS'];
  if (keepLogs)
    void exited.then(() =>
      writeFile(
        path.join(keepLogs, `domum-${args[0] ?? 'child'}-${child.pid ?? 0}.log`),
        `${stdout}\n--- stderr ---\n${stderr}`,
      ),
    );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { process: child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** A one-shot command (`catalog load …`, `migrate`): waits for it to exit. */
export async function runDomum(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const spawned = spawnDomum(args, env);
  const { code } = await spawned.exited;
  return { code, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

function parseLogs(text: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line cut by a kill mid-write.
    }
  }
  return lines;
}

/** `domum start` (or `web`, `worker`), resolved once it logged "domum started" with its port. */
export async function startChildApp(options: {
  command?: 'start' | 'web' | 'worker';
  env: Record<string, string>;
  startTimeoutMs?: number;
}): Promise<ChildApp> {
  const spawned = spawnDomum([options.command ?? 'start'], options.env);
  let exitedEarly: ChildExit | undefined;
  void spawned.exited.then((exit) => (exitedEarly = exit));
  const started = await waitFor(
    () => {
      if (exitedEarly)
        throw new Error(
          `domum exited (${JSON.stringify(exitedEarly)}) before it started: ${spawned.stderr().slice(-2000)}`,
        );
      return parseLogs(spawned.stdout()).find((line) => line['message'] === 'domum started');
    },
    { description: 'the child process to log "domum started"', timeoutMs: options.startTimeoutMs ?? 45_000 },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\nstderr: ${spawned.stderr().slice(-2000)}`, { cause: error });
  });
  const port = Number(started['port']);
  const baseUrl = `http://127.0.0.1:${port}`;
  const signal = async (name: NodeJS.Signals) => {
    if (spawned.process.exitCode === null && spawned.process.signalCode === null) spawned.process.kill(name);
    return spawned.exited;
  };
  return {
    pid: spawned.process.pid ?? 0,
    port,
    baseUrl,
    slack: createSlackDriver({ baseUrl, signingSecret: CHILD_SIGNING_SECRET }),
    stdout: spawned.stdout,
    stderr: spawned.stderr,
    logs: () => parseLogs(spawned.stdout()),
    exited: spawned.exited,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// A request through Slack only: /domum import, the wizard, the card, Approve.

interface View {
  id: string;
  callback_id: string;
  private_metadata: string;
  blocks?: Array<Record<string, unknown>>;
}

export interface SlackSide {
  slack: SlackDriver;
  slackApi: FakeSlackApi;
}

const TEAM = 'T0TEAM001';

async function submitView(
  side: SlackSide,
  view: View,
  values: Record<string, unknown>,
  user: string,
): Promise<{ response_action?: string; view?: View }> {
  const response = await side.slack.interactive({
    type: 'view_submission',
    user: { id: user, team_id: TEAM },
    view: { ...view, type: 'modal', state: { values } },
  });
  expect(response.status, response.text).toBe(200);
  return response.text ? (response.json() as { response_action?: string; view?: View }) : {};
}

/** What the app answers Slack's options request for an external select, as Slack would send it. */
async function suggestOptions(
  side: SlackSide,
  view: View,
  user: string,
  blockId: string,
  actionId: string,
): Promise<Array<{ text: { text: string }; value: string }>> {
  const response = await side.slack.interactive({
    type: 'block_suggestion',
    user: { id: user, team_id: TEAM },
    block_id: blockId,
    action_id: actionId,
    value: '',
    view: { ...view, type: 'modal' },
  });
  expect(response.status, response.text).toBe(200);
  return (response.json() as { options: Array<{ text: { text: string }; value: string }> }).options;
}

function chooseOption(options: Array<{ text: { text: string }; value: string }>, text: string): string {
  const found = options.find((option) => option.text.text.includes(text));
  if (!found) throw new Error(`no option "${text}" among ${JSON.stringify(options.map((option) => option.text.text))}`);
  return found.value;
}

export interface SlackRequestOptions {
  requester: string;
  channel: string;
  fileName: string;
  bytes: Buffer;
  /** Device and credential as the catalog names them (the fixture catalog's db-prod-01 and postgres by default). */
  deviceName?: string;
  credentialUsername?: string;
  /** Generous for big files: the check runs in a background job. */
  timeoutMs?: number;
}

/**
 * Runs `/domum import` with "Automatically provide access after import", the five wizard steps and Create,
 * the way Slack would deliver them, and returns the request id read from the card's Approve button.
 */
export async function createRequestOverSlack(
  side: SlackSide,
  options: SlackRequestOptions,
): Promise<{ requestId: number; cardTs: string }> {
  const { requester, channel } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const opensBefore = side.slackApi.callsTo('views.open').length;
  const command = await side.slack.command({ text: 'import', userId: requester, channelId: channel });
  expect(command.status, command.text).toBe(200);
  const modal = (
    (await side.slackApi.waitForCalls('views.open', opensBefore + 1, undefined, timeoutMs))[opensBefore]?.response as {
      view: View;
    }
  ).view;
  const file = side.slackApi.addFile({ name: options.fileName, bytes: options.bytes, user: requester });
  await submitView(side, modal, importStepValues(file), requester);
  const preview = (
    (
      await side.slackApi.waitForCall(
        'views.update',
        (call) => call.args.view_id === modal.id && JSON.stringify(call.args.view).includes('lines'),
        timeoutMs,
      )
    ).response as { view: View }
  ).view;

  const step = async (view: View, values: Record<string, unknown>): Promise<View> => {
    const next = await submitView(side, view, values, requester);
    expect(next.response_action, JSON.stringify(next)).toBe('update');
    return { ...(next.view as View), id: modal.id };
  };
  const general = await step(preview, {});
  const reasonBlock = general.blocks?.find((block) => block['block_id'] === REASON_BLOCK) as
    { element: { options: Array<{ value: string }> } } | undefined;
  const reason = reasonBlock?.element.options.find((option) => option.value !== '0')?.value;
  if (!reason) throw new Error(`the General step offers no reason: ${JSON.stringify(general.blocks)}`);
  const devicesStep = await step(general, generalStepValues(reason));
  const device = chooseOption(
    await suggestOptions(side, devicesStep, requester, DEVICES_BLOCK, WIZARD_DEVICES_SELECT_ACTION),
    options.deviceName ?? 'db-prod-01',
  );
  const credentialsStep = await step(devicesStep, devicesStepValues(device));
  const credential = chooseOption(
    await suggestOptions(side, credentialsStep, requester, CREDENTIALS_BLOCK, WIZARD_CREDENTIALS_SELECT_ACTION),
    options.credentialUsername ?? 'postgres',
  );
  const limitationStep = await step(credentialsStep, credentialsStepValues(credential));
  const review = await step(limitationStep, limitationStepValues());
  await step(review, {});

  const card = await side.slackApi.waitForCall(
    'chat.postMessage',
    (call) => call.args.channel === channel && JSON.stringify(call.args.blocks ?? '').includes(APPROVE_ACTION),
    timeoutMs,
  );
  const requestId = Number(findElement(card.args.blocks, APPROVE_ACTION)?.['value']);
  if (!(requestId > 0))
    throw new Error(`no Approve button with a request id on the card: ${JSON.stringify(card.args.blocks)}`);
  return { requestId, cardTs: String((card.response as { ts?: string }).ts ?? '') };
}

/** Approve on the card, then the Approve modal's submission, as the approver would in Slack. */
export async function approveOverSlack(
  side: SlackSide,
  input: { requestId: number; approver: string; channel: string; cardTs: string; timeoutMs?: number },
): Promise<void> {
  const opensBefore = side.slackApi.callsTo('views.open').length;
  const click = await side.slack.interactive({
    type: 'block_actions',
    user: { id: input.approver, team_id: TEAM },
    channel: { id: input.channel },
    container: { type: 'message', channel_id: input.channel, message_ts: input.cardTs },
    response_url: side.slackApi.responseUrl(`approve-${input.requestId}`),
    actions: [
      {
        type: 'button',
        action_id: APPROVE_ACTION,
        block_id: 'request_decision',
        value: String(input.requestId),
        action_ts: '1',
      },
    ],
  });
  expect(click.status, click.text).toBe(200);
  const modal = (
    (await side.slackApi.waitForCalls('views.open', opensBefore + 1, undefined, input.timeoutMs ?? 15_000))[opensBefore]
      ?.response as { view: View }
  ).view;
  const submitted = await submitView(
    side,
    modal,
    { [COMMENT_BLOCK]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: '' } } },
    input.approver,
  );
  expect(submitted.response_action ?? 'clear', JSON.stringify(submitted)).not.toBe('errors');
}

/**
 * TCP connections open to a local server's port right now (Linux: /proc/net/tcp and tcp6, the server's side
 * of each connection in state ESTABLISHED). Measured from outside, so it counts whatever the app holds open.
 */
export async function establishedConnectionsTo(port: number): Promise<number> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '01' && local?.endsWith(`:${hexPort}`)) count += 1;
    }
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------
// Reading what the loopback SMTP server received.

const TOKEN_PATTERN = /\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b/;

export interface FirstAccessMails {
  /** Link emails per recipient, in the order received. */
  links: Map<string, string[]>;
  /** Token emails per recipient, in the order received. */
  tokens: Map<string, string[]>;
}

/** Splits captured messages into link emails (their link id) and token emails (their token), per recipient. */
export function readFirstAccessMails(messages: ReadonlyArray<{ to: string[]; raw: string }>): FirstAccessMails {
  const links = new Map<string, string[]>();
  const tokens = new Map<string, string[]>();
  for (const message of messages) {
    const recipient = message.to[0] ?? '';
    // Quoted-printable may fold long lines: unfold soft breaks before matching.
    const raw = message.raw.replace(/=\r?\n/g, '');
    const link = /\/access\/([A-Za-z0-9_-]{16,64})/.exec(raw)?.[1];
    const token = TOKEN_PATTERN.exec(raw)?.[0];
    if (link) links.set(recipient, [...(links.get(recipient) ?? []), link]);
    else if (token) tokens.set(recipient, [...(tokens.get(recipient) ?? []), token]);
    else throw new Error(`a message to ${recipient} is neither a link nor a token email`);
  }
  return { links, tokens };
}

export interface LandingSession {
  cookie: string;
  csrf: string;
}

/**
 * GET a landing page, as a browser opening the emailed link (sending `cookie` when it holds one): its CSRF
 * cookie and the form's matching value.
 */
export async function openLandingPage(baseUrl: string, linkId: string, cookie?: string): Promise<LandingSession> {
  const page = await fetch(`${baseUrl}/access/${linkId}`, cookie ? { headers: { cookie } } : {});
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return { cookie: (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf };
}

/**
 * Opens a landing page and POSTs the token, as its form does; the HTTP status. A session from another landing
 * page is what a browser that opened that one still holds: its cookie goes with this page's request, and the
 * form's value is this page's (a value is bound to its link).
 */
export async function activateOnLandingPage(
  baseUrl: string,
  linkId: string,
  token: string,
  session?: LandingSession,
): Promise<number> {
  const { cookie, csrf } = await openLandingPage(baseUrl, linkId, session?.cookie);
  const response = await fetch(`${baseUrl}/access/${linkId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ token, csrf }).toString(),
  });
  await response.text();
  return response.status;
}
