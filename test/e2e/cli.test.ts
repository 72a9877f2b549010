// The `domum` command line as operators run it: a real child process started exactly like `npm start`,
// a fake Slack Web API on loopback, and signed requests to /slack/events.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import { createSlackDriver } from '../support/slack-driver.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';
import { fixturePath } from '../support/fixtures.ts';

const FIXTURE_CATALOG = fixturePath('catalog.yaml');
const SIGNING_SECRET = 'e2e-signing-secret-0123456789abcdef';

/** The node arguments of `npm start`, read from package.json so the test runs what operators run. */
async function npmStartArguments(): Promise<string[]> {
  const packageJson = JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> };
  const [program, ...args] = (packageJson.scripts.start ?? '').split(/\s+/);
  expect(program).toBe('node');
  return args;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'domum-e2e-'));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

/** A minimal environment: nothing from the developer's shell leaks into the child's configuration. */
function baseEnvironment(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

interface Child {
  process: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { env, cwd: process.cwd() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { process: child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function domum(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const startArgs = await npmStartArguments();
  const child = run([...startArgs.slice(0, -1), ...args], env);
  const code = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

async function databaseEnvironment(): Promise<Record<string, string>> {
  const database = await createTestDatabase({ empty: true });
  const dataDir = await temporaryDirectory();
  return database.databaseUrl
    ? { DATABASE_URL: database.databaseUrl, DATA_DIR: dataDir, SECRET_KEY: 'e2e-secret-key-0123456789abcdef0123456789' }
    : { DATA_DIR: dataDir };
}

describe('npm start', () => {
  it('without Slack credentials exits non-zero naming every missing variable and the README section', async () => {
    const startArgs = await npmStartArguments();
    const child = run(startArgs, baseEnvironment({ DATA_DIR: await temporaryDirectory() }));
    const code = await child.exited;
    expect(code).not.toBe(0);
    const message = child.stderr();
    expect(message).toContain('SLACK_BOT_TOKEN');
    expect(message).toContain('SLACK_SIGNING_SECRET');
    expect(message).toContain('README.md, section "Creating the Slack app"');
    expect(message).toContain('slack-manifest.yml');
    expect(message.trim().split('\n')[0]).toMatch(/^Domum cannot start/);
  });

  it('serves /healthz and signed Slack requests, refuses bad signatures, and stops cleanly on SIGTERM', async () => {
    const slackApi = await startFakeSlackApi();
    cleanups.push(() => slackApi.close());
    const startArgs = await npmStartArguments();
    const child = run(
      startArgs,
      baseEnvironment({
        SLACK_BOT_TOKEN: slackApi.botToken,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slackApi.url,
        PORT: '0',
        ...(await databaseEnvironment()),
      }),
    );
    const started = await waitFor(
      () =>
        child
          .stdout()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { message: string; port?: number })
          .find((line) => line.message === 'domum started'),
      { description: `the process to start (stderr: ${child.stderr()})`, timeoutMs: 45_000 },
    );
    const baseUrl = `http://127.0.0.1:${started.port}`;
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);

    const slack = createSlackDriver({ baseUrl, signingSecret: SIGNING_SECRET, fakeApi: slackApi });
    const help = await slack.command({ text: 'help', userId: 'U0REQ0001' });
    expect(help.status).toBe(200);
    expect((help.json() as { text: string }).text).toContain('/domum help');
    const wrong = await slack.command({ text: 'help', userId: 'U0REQ0001' }, { signingSecret: 'wrong-secret' });
    expect(wrong.status).toBe(401);
    const stale = await slack.command(
      { text: 'help', userId: 'U0REQ0001' },
      { timestampSeconds: Math.floor(Date.now() / 1000) - 360 },
    );
    expect(stale.status).toBe(401);
    const handled = child
      .stdout()
      .split('\n')
      .filter((line) => line.includes('"message":"slack request"'));
    expect(handled).toHaveLength(1);

    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toContain('"message":"stopped"');
    expect(child.stdout() + child.stderr()).not.toContain(slackApi.botToken);
  }, 90_000);
});

describe('domum migrate and domum catalog load', () => {
  it('migrate a fresh database once, then report nothing to do; load the catalog, then report no changes', async () => {
    const env = baseEnvironment(await databaseEnvironment());
    const first = await domum(['migrate'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('0001_initial');
    const second = await domum(['migrate'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('up to date');

    const load = await domum(['catalog', 'load', FIXTURE_CATALOG], env);
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    expect(load.stdout).toMatch(/Vendors: 3 created/);
    const again = await domum(['catalog', 'load', FIXTURE_CATALOG], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes');
  }, 90_000);

  it('refuse an invalid catalog whole, listing every problem with its path', async () => {
    const env = baseEnvironment(await databaseEnvironment());
    const directory = await temporaryDirectory();
    const file = path.join(directory, 'bad.yaml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      file,
      'devices:\n  - {id: D-1, name: db-01}\ncredentials:\n  - {id: C-1, device: D-9, username: root}\n',
    );
    const result = await domum(['catalog', 'load', file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('credentials[0].device: unknown device "D-9"');
    expect(result.stderr).toContain('nothing was changed');
  });
});

describe('domum validate and domum template', () => {
  it('print the dry run as a table, with exit code 0, 1 or 2, and write the template', async () => {
    const env = baseEnvironment(await databaseEnvironment());
    expect((await domum(['catalog', 'load', FIXTURE_CATALOG], env)).code).toBe(0);

    const clean = await domum(['validate', fixturePath('clean_en.xlsx')], env);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^\s*2\s+created\s+ana\.souza@acme\.example\s*$/m);
    expect(clean.stdout).toContain('5 will be created (4 active, 1 inactive)');

    const errors = await domum(['validate', fixturePath('validation_errors.xlsx')], env);
    expect(errors.code).toBe(1);
    expect(errors.stdout).toContain('13 errors');
    expect(errors.stdout).toMatch(/duplicate of line 2/);

    const refused = await domum(['validate', fixturePath('missing_email_column.xlsx')], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('missing required column Email');
    // A dry run writes nothing.
    expect(clean.stdout + errors.stdout).not.toContain('IMP-');

    const directory = await temporaryDirectory();
    const out = path.join(directory, 'template.xlsx');
    const template = await domum(['template', out], env);
    expect(template.code).toBe(0);
    const again = await domum(['template', out], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    // The template itself passes validation: its example line is importable.
    const check = await domum(['validate', out], env);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  }, 120_000);
});

describe('domum --help', () => {
  it('documents every command and refuses an unknown one', async () => {
    const env = baseEnvironment({});
    const overview = await domum(['--help'], env);
    expect(overview.code).toBe(0);
    for (const command of ['start', 'web', 'worker', 'migrate', 'catalog load', 'validate', 'template'])
      expect(overview.stdout).toContain(`domum ${command}`);
    for (const command of ['start', 'web', 'worker', 'migrate', 'catalog', 'validate', 'template']) {
      const help = await domum([command, '--help'], env);
      expect(help.code, command).toBe(0);
      expect(help.stdout.length, command).toBeGreaterThan(20);
    }
    const unknown = await domum(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  }, 90_000);

  it('refuses an unknown option with exit code 2, naming it and showing the usage, before running anything', async () => {
    // Slack credentials and a data directory: without the check, `start --bogus` would start serving.
    const env = baseEnvironment({
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      PORT: '0',
      DATA_DIR: await temporaryDirectory(),
    });
    const start = await domum(['start', '--bogus'], env);
    expect(start.code).toBe(2);
    expect(start.stdout).toBe('');
    expect(start.stderr).toContain('Unknown option "--bogus" for domum start');
    expect(start.stderr).toContain('Usage: domum start\n');

    const validate = await domum(['validate', fixturePath('clean_en.xlsx'), '--x'], env);
    expect(validate.code).toBe(2);
    expect(validate.stdout).toBe('');
    expect(validate.stderr).toContain('Unknown option "--x" for domum validate');
    expect(validate.stderr).toContain('Usage: domum validate <spreadsheet>');

    const alone = await domum(['--nope'], env);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('Unknown option "--nope" for domum:');
    expect(alone.stderr).toContain('domum catalog load <file.yaml|file.json>');
  }, 90_000);
});
