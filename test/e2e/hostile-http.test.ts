// Issue 13: whatever a client sends, the app keeps running, answers /healthz and writes nothing. The app runs
// as operators run it (`domum start` in a child process, test/support/child-app.ts) with two real landing
// page links, and gets every method on every route, broken request lines and URLs over raw TCP, oversized
// headers and bodies, a client that never finishes its headers, and more connections than it allows.
//
// How to add a case: push one more entry to HOSTILE_CASES (or a function returning several). Its `send`
// does the hostile thing and checks the answer; after it, the harness checks the process is alive, answers
// /healthz, and (on PostgreSQL, where the test can read the database while the child runs) that no table
// changed and no job was queued. On the embedded database the child owns the data directory, so the same
// comparison runs once, between a snapshot taken with the child stopped before the cases and one after.
import net from 'node:net';
import { sql } from 'kysely';
import * as XLSX from 'xlsx';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';
import { startWebServer } from '../../src/web/web-server.ts';
import type { Route } from '../../src/web/web-server.ts';
import {
  approveOverSlack,
  childEnvironment,
  createRequestOverSlack,
  readFirstAccessMails,
  seedChildDatabase,
  startChildApp,
  temporaryDataDir,
} from '../support/child-app.ts';
import type { ChildApp } from '../support/child-app.ts';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { createTestDatabase } from '../support/test-database.ts';
import type { TestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';

/** Short, so the slow-client cases wait seconds, not the production 10 s / 20 s. */
const HEADERS_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 3_000;
const MAX_CONNECTIONS = 40;

const CHANNEL = 'C0HOSTILE';
const REQUESTER = 'U0REQ0001';
const APPROVER = 'U0APPR001';
const UNKNOWN_TOKEN = 'BREW';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', UNKNOWN_TOKEN];

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

// ---------------------------------------------------------------------------------------------------------
// Raw HTTP over TCP: what fetch would refuse to send.

interface RawAnswer {
  /** The whole answer as latin1 text ('' when the server closed without a word). */
  text: string;
  /** The status of the first response line; undefined when there was none. */
  status: number | undefined;
  /** Lower-cased header names of the first response. */
  headers: Record<string, string>;
  /** Milliseconds from the first byte sent to the server closing the connection. */
  closedAfterMs: number;
}

/**
 * Sends `request` (then `body`, in pieces, if given) on a new connection and resolves once the server closed
 * it. Write errors are expected (the server may refuse before the body is in) and ignored.
 */
function rawExchange(
  port: number,
  request: string | Buffer,
  options: { body?: Buffer; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let started = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${options.timeoutMs ?? 10_000} ms`));
    }, options.timeoutMs ?? 10_000);
    socket.on('connect', () => {
      started = performance.now();
      socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
      const body = options.body;
      if (!body) return;
      let offset = 0;
      const writeMore = () => {
        while (offset < body.length && !socket.destroyed) {
          const piece = body.subarray(offset, offset + 65_536);
          offset += piece.length;
          if (!socket.write(piece)) {
            socket.once('drain', writeMore);
            return;
          }
        }
      };
      writeMore();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        text,
        status: status ? Number(status) : undefined,
        headers,
        closedAfterMs: performance.now() - started,
      });
    });
  });
}

/** A request with `connection: close`, so the server closes once it answered. */
function requestText(method: string, target: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ host: 'localhost', connection: 'close', 'content-length': '0', ...headers }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return `${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

function expectAnswer(answer: RawAnswer, status: number, allow?: string): void {
  expect(answer.status, answer.text.slice(0, 300)).toBe(status);
  if (allow !== undefined) expect(answer.headers['allow'], answer.text.slice(0, 300)).toBe(allow);
}

// ---------------------------------------------------------------------------------------------------------
// The cases.

interface HostileContext {
  app: ChildApp;
  /** Link ids of two open landing pages (their accesses are provisioned; neither token was entered). */
  links: [string, string];
}

interface HostileCase {
  name: string;
  send(context: HostileContext): Promise<void>;
}

interface RouteExpectation {
  target: (context: HostileContext) => string;
  /** The status per method the route takes; every other known method gets 405 with `allow`. */
  answers: Record<string, number>;
  allow: string;
}

const ROUTES: Record<string, RouteExpectation> = {
  '/slack/events': { target: () => '/slack/events', answers: { POST: 401 }, allow: 'POST' },
  '/healthz': { target: () => '/healthz', answers: { GET: 200, HEAD: 200 }, allow: 'GET, HEAD' },
  '/readyz': { target: () => '/readyz', answers: { GET: 200, HEAD: 200 }, allow: 'GET, HEAD' },
  // A POST without the page's CSRF pair is refused (403) before anything is counted or sent.
  '/access/<id>': {
    target: ({ links }) => `/access/${links[0]}`,
    answers: { GET: 200, HEAD: 200, POST: 403 },
    allow: 'GET, HEAD, POST',
  },
  '/access/<id>/new-token': {
    target: ({ links }) => `/access/${links[0]}/new-token`,
    answers: { POST: 403 },
    allow: 'POST',
  },
  '/access/<unknown id>': {
    target: () => '/access/NoSuchLink0123456789',
    answers: { GET: 404, HEAD: 404, POST: 404 },
    allow: 'GET, HEAD, POST',
  },
  '/unknown': { target: () => '/no-such-page', answers: {}, allow: '' },
  '/slack/events/extra': { target: () => '/slack/events/extra', answers: {}, allow: '' },
};

function everyMethodOnEveryRoute(): HostileCase[] {
  return Object.entries(ROUTES).flatMap(([routeName, route]) =>
    METHODS.map((method) => ({
      name: `${method} ${routeName}`,
      send: async (context: HostileContext) => {
        const answer = await rawExchange(context.app.port, requestText(method, route.target(context)));
        if (method === UNKNOWN_TOKEN) return expectAnswer(answer, 400);
        if (route.allow === '') return expectAnswer(answer, 404);
        const status = route.answers[method];
        if (status !== undefined) return expectAnswer(answer, status);
        expectAnswer(answer, 405, route.allow);
      },
    })),
  );
}

/** Request lines and URLs that are not HTTP, or not a path. */
const MALFORMED_TARGETS: Array<[name: string, request: string, status: number]> = [
  ['a host that does not parse: //[', requestText('GET', '//['), 400],
  ['an absolute URL that does not parse: http://[', requestText('GET', 'http://['), 400],
  ['POST //[ to Slack events', requestText('POST', '//[/slack/events'), 400],
  ['an authority instead of a path on /slack/events', requestText('GET', 'localhost:80'), 400],
  ['an asterisk target', requestText('GET', '*'), 400],
  ['absurd percent-encoding', requestText('GET', '/access/%zz%%%E0%A4%A'), 400],
  ['percent-encoded NUL', requestText('GET', '/healthz%00'), 404],
  ['percent-encoded path to a route', requestText('GET', '/%68ealthz'), 404],
  ['dot segments', requestText('GET', '/access/../healthz'), 404],
  ['a host in the path is not a host', requestText('GET', '//evil.example/healthz'), 404],
  ['absolute form, as HTTP/1.1 allows', requestText('GET', 'http://evil.example/healthz'), 200],
  ['absolute form with a broken port', requestText('GET', 'http://localhost:99999/healthz'), 400],
  ['a NUL byte in the request line', requestText('GET', '/heal\0thz'), 400],
  ['a NUL byte in a header', requestText('GET', '/healthz', { 'x-evil': 'a\0b' }), 400],
  ['a line feed without carriage return', 'GET /healthz HTTP/1.1\nhost: x\n\n', 400],
  ['no HTTP version (read as HTTP/0.9, answered)', 'GET /healthz\r\n\r\n', 200],
  ['HTTP/2 preface over HTTP/1.1', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400],
  ['binary garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', 400],
  ['a path of 100,000 characters', requestText('GET', `/access/${'a'.repeat(100_000)}`), 431],
  ['a path of 3,000 percent-escapes', requestText('GET', `/access/${'%41'.repeat(3_000)}`), 404],
  ['a long link id', requestText('GET', `/access/${'A'.repeat(65)}`), 404],
  ['a header of 64 KiB', requestText('GET', '/healthz', { 'x-big': 'b'.repeat(65_536) }), 431],
  [
    '2,000 small headers',
    requestText('GET', '/healthz', Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`x-h${i}`, 'v']))),
    431,
  ],
  [
    'Content-Length and Transfer-Encoding together (smuggling)',
    requestText('POST', '/slack/events', { 'content-length': '5', 'transfer-encoding': 'chunked' }),
    400,
  ],
  [
    'two different Content-Lengths',
    'POST /slack/events HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab',
    400,
  ],
  [
    'a chunked body with a broken chunk size',
    'POST /slack/events HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    400,
  ],
];

const MIB = 1_048_576;

function oversizedBodies(): HostileCase[] {
  // Each answers 413 and reads the rest of the body: a connection closed with bytes still coming is reset by
  // the kernel, and the client would never see the answer.
  const targets: Array<[string, (context: HostileContext) => string]> = [
    ['/slack/events', () => '/slack/events'],
    ['/access/<id>', ({ links }) => `/access/${links[0]}`],
    ['/access/<id>/new-token', ({ links }) => `/access/${links[0]}/new-token`],
  ];
  return targets.flatMap(([name, target]) => [
    {
      name: `a 5 MiB body with its Content-Length to ${name}`,
      send: async (context: HostileContext) => {
        const body = Buffer.alloc(5 * MIB, 'a');
        const answer = await rawExchange(
          context.app.port,
          requestText('POST', target(context), {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(body.length),
          }),
          { body },
        );
        expectAnswer(answer, 413);
      },
    },
    {
      name: `a 5 MiB chunked body to ${name}`,
      send: async (context: HostileContext) => {
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const pieces: Buffer[] = [];
        for (let sent = 0; sent < 5 * MIB; sent += chunk.length)
          pieces.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
        pieces.push(Buffer.from('0\r\n\r\n'));
        const request = requestText('POST', target(context), {
          'content-type': 'application/x-www-form-urlencoded',
          'transfer-encoding': 'chunked',
        }).replace('content-length: 0\r\n', '');
        const answer = await rawExchange(context.app.port, request, { body: Buffer.concat(pieces) });
        expectAnswer(answer, 413);
      },
    },
  ]);
}

const SLOW_CLIENTS: HostileCase[] = [
  {
    name: 'headers that never finish are cut off after the headers timeout',
    send: async ({ app }) => {
      const answer = await rawExchange(app.port, 'GET /healthz HTTP/1.1\r\nhost: localhost\r\nx-slow: ', {
        timeoutMs: HEADERS_TIMEOUT_MS + 5_000,
      });
      expectAnswer(answer, 408);
      expect(answer.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    },
  },
  {
    name: 'a body that never finishes is cut off after the request timeout',
    send: async (context) => {
      const answer = await rawExchange(
        context.app.port,
        `${requestText('POST', `/access/${context.links[0]}`, {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': '100',
        })}token=`,
        { timeoutMs: REQUEST_TIMEOUT_MS + 5_000 },
      );
      expectAnswer(answer, 408);
      expect(answer.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    },
  },
  {
    name: 'a Slack body that never finishes is cut off after the request timeout',
    send: async ({ app }) => {
      const answer = await rawExchange(
        app.port,
        `${requestText('POST', '/slack/events', { 'content-type': 'application/json', 'content-length': '100' })}{`,
        { timeoutMs: REQUEST_TIMEOUT_MS + 5_000 },
      );
      expectAnswer(answer, 408);
    },
  },
];

/** Holds keep-alive connections open until the server drops one; then lets them go. */
const CONNECTION_CAP: HostileCase = {
  name: `connections beyond HTTP_MAX_CONNECTIONS (${MAX_CONNECTIONS}) are dropped`,
  send: async ({ app }) => {
    const held: net.Socket[] = [];
    try {
      let dropped = false;
      while (!dropped && held.length <= MAX_CONNECTIONS) {
        const socket = net.connect(app.port, '127.0.0.1');
        socket.on('error', () => undefined);
        held.push(socket);
        // A finished keep-alive request: the connection stays open (and counted) until the keep-alive timeout.
        dropped = await new Promise<boolean>((resolve) => {
          socket.once('connect', () => socket.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n'));
          socket.once('data', () => resolve(false));
          socket.once('close', () => resolve(true));
        });
      }
      expect(dropped, `${held.length} connections open and none dropped`).toBe(true);
      expect(held.length).toBeLessThanOrEqual(MAX_CONNECTIONS + 1);
      await waitFor(() => app.logs().some((line) => String(line['message']).startsWith('http connections dropped')), {
        description: 'the dropped connection in the log',
      });
    } finally {
      for (const socket of held) socket.destroy();
    }
  },
};

/** A CONNECT whose client resets the connection at once: the server owns that socket, errors included. */
const CONNECT_RESET: HostileCase = {
  name: 'CONNECT, then a reset',
  send: async ({ app }) => {
    await new Promise<void>((resolve) => {
      const socket = net.connect(app.port, '127.0.0.1', () => {
        socket.write('CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n');
        socket.resetAndDestroy();
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
  },
};

/** A client that sends a request and resets the connection before the answer, many times over. */
const RESETS_MID_REQUEST: HostileCase = {
  name: 'requests reset half way through their body',
  send: async ({ app, links }) => {
    for (const target of ['/slack/events', `/access/${links[0]}`, `/access/${links[1]}/new-token`]) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(app.port, '127.0.0.1', () => {
          socket.write(
            `${requestText('POST', target, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '1000' })}csrf=`,
          );
          socket.resetAndDestroy();
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
      });
    }
  },
};

/** The CSRF pair a browser gets with a link's page: the cookie it sends back, and the form's value. */
async function csrfPairOf(port: number, linkId: string): Promise<{ cookie: string; csrf: string }> {
  const page = await rawExchange(port, requestText('GET', `/access/${linkId}`));
  expectAnswer(page, 200);
  const cookie = (page.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  expect(cookie).toMatch(/domum_csrf=[A-Za-z0-9_-]{32}$/);
  expect(csrf).not.toBe('');
  return { cookie, csrf };
}

/** POSTs the landing page's form (a token and a CSRF value) to both of a link's routes: each answers 403. */
async function expectBothFormsRefused(port: number, linkId: string, cookie: string, csrf: string): Promise<void> {
  for (const target of [`/access/${linkId}`, `/access/${linkId}/new-token`]) {
    const body = new URLSearchParams({ token: 'ABCD-EFGH-JKMN', csrf }).toString();
    const head = requestText('POST', target, {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      cookie,
    });
    expectAnswer(await rawExchange(port, `${head}${body}`), 403);
  }
}

/** Landing page forms the page did not give (issue 13): refused before anything is counted, sent or queued. */
const CSRF_REFUSALS: HostileCase[] = [
  {
    name: 'a forged CSRF pair (the cookie of the page, a value it never gave) on both forms of a link',
    send: async ({ app, links }) => {
      const { cookie, csrf } = await csrfPairOf(app.port, links[0]);
      const forged = `${csrf.slice(0, -4)}${csrf.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      await expectBothFormsRefused(app.port, links[0], cookie, forged);
    },
  },
  {
    name: "a CSRF pair from another link's page on both forms of a link",
    send: async ({ app, links }) => {
      const { cookie, csrf } = await csrfPairOf(app.port, links[1]);
      await expectBothFormsRefused(app.port, links[0], cookie, csrf);
    },
  },
];

const HOSTILE_CASES: HostileCase[] = [
  ...everyMethodOnEveryRoute(),
  ...MALFORMED_TARGETS.map(([name, request, status]): HostileCase => ({
    name,
    send: async ({ app }) => expectAnswer(await rawExchange(app.port, request), status),
  })),
  ...oversizedBodies(),
  CONNECT_RESET,
  RESETS_MID_REQUEST,
  ...CSRF_REFUSALS,
  ...SLOW_CLIENTS,
  CONNECTION_CAP,
];

// ---------------------------------------------------------------------------------------------------------
// What the database holds: every table of the app, and the jobs queued (pg-boss's own bookkeeping, its
// internal queues (__pgboss__…) and the jobs of its schedules change on their own, and are left out).

interface DatabaseSnapshot {
  /** md5 of each table's rows, in a stable order. */
  tables: Record<string, string>;
  /** When it was taken, by the database's clock. */
  takenAt: string;
}

async function snapshotDatabase(handle: DatabaseHandle): Promise<DatabaseSnapshot> {
  const { rows: tableRows } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(handle.db);
  const tables: Record<string, string> = {};
  for (const { name } of tableRows) {
    const { rows } = await sql<{ digest: string }>`
      SELECT md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) AS digest FROM ${sql.table(name)} t`.execute(
      handle.db,
    );
    tables[name] = rows[0]?.digest ?? '';
  }
  const { rows } = await sql<{ now: string }>`SELECT now()::text AS now`.execute(handle.db);
  return { tables, takenAt: rows[0]?.now ?? '' };
}

/** Jobs due or running, other than the ones pg-boss's schedules put there (a request's reminder, due in
 * hours, is not). */
async function pendingJobs(handle: DatabaseHandle): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT name FROM pgboss.job
    WHERE (state = 'active' OR (state IN ('created', 'retry') AND start_after <= now()))
      AND name NOT IN (SELECT name FROM pgboss.schedule) AND left(name, 10) <> '__pgboss__'`.execute(handle.db);
  return rows.map((row) => row.name);
}

/** A snapshot once provisioning's last jobs are done: from then on, only a request can change anything. */
async function settledSnapshot(handle: DatabaseHandle): Promise<DatabaseSnapshot> {
  await waitFor(async () => (await pendingJobs(handle)).length === 0, {
    description: 'no job left to run',
    timeoutMs: 15_000,
  });
  return snapshotDatabase(handle);
}

/** Jobs queued since the snapshot, other than the ones pg-boss's schedules put there. */
async function jobsQueuedSince(handle: DatabaseHandle, snapshot: DatabaseSnapshot): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT name FROM pgboss.job
    WHERE created_on > ${snapshot.takenAt}::timestamptz AND name NOT IN (SELECT name FROM pgboss.schedule) AND left(name, 10) <> '__pgboss__'
    ORDER BY created_on`.execute(handle.db);
  return rows.map((row) => row.name);
}

async function expectUnchanged(handle: DatabaseHandle, before: DatabaseSnapshot, what: string): Promise<void> {
  const after = await snapshotDatabase(handle);
  const changed = Object.keys({ ...before.tables, ...after.tables }).filter(
    (table) => before.tables[table] !== after.tables[table],
  );
  expect(changed, `tables changed after ${what}`).toEqual([]);
  expect(await jobsQueuedSince(handle, before), `jobs queued after ${what}`).toEqual([]);
}

const quiet = createLogger({ level: 'error', write: () => undefined });

/** The embedded database of a stopped child, opened and closed around `read`. */
async function readStoppedChildDatabase<T>(dataDir: string, read: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await openDatabase({ dataDir }, quiet);
  try {
    return await read(handle);
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------------------

function people(): Buffer {
  const rows = [
    ['Vendor', 'Name', 'Email', 'Enabled'],
    ['Globex', 'Ada Hostile', 'ada@globex.example', 'Yes'],
    ['Globex', 'Bob Hostile', 'bob@globex.example', 'Yes'],
  ];
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

/** The child app with two provisioned accesses whose links are open (emails sent, no token entered). */
async function startProvisionedApp(database: TestDatabase): Promise<{
  app: ChildApp;
  links: [string, string];
  env: Record<string, string>;
  restart(): Promise<ChildApp>;
}> {
  const smtp = await startSmtpCapture();
  const slackApi = await startFakeSlackApi();
  closers.push(
    () => smtp.close(),
    () => slackApi.close(),
  );
  const env = childEnvironment({
    slackApi,
    database,
    dataDir: await temporaryDataDir(),
    smtpUrl: smtp.url,
    extra: {
      MAIL_RATE_PER_SECOND: '1000',
      PUBLIC_BASE_URL: 'https://domum.example.com',
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    },
  });
  await seedChildDatabase(database, env['DATA_DIR'] ?? '', async (handle) => {
    await seedCatalog(handle.db);
  });
  const app = await startChildApp({ env });
  const side = { slack: app.slack, slackApi };
  const { requestId, cardTs } = await createRequestOverSlack(side, {
    requester: REQUESTER,
    channel: CHANNEL,
    fileName: 'hostile.xlsx',
    bytes: people(),
  });
  await approveOverSlack(side, { requestId, approver: APPROVER, channel: CHANNEL, cardTs });
  // The requester's DM comes last, once the request is Completed; the jobs still finishing are waited for
  // before the snapshot (see settledSnapshot).
  await slackApi.waitForCall(
    'chat.postMessage',
    (call) => String(call.args.channel).startsWith('D') && String(call.args.text).includes('is now Completed'),
    30_000,
  );
  const mails = readFirstAccessMails(smtp.messages);
  const [first, second] = [...mails.links.values()].map((links) => links[0] ?? '');
  if (!first || !second) throw new Error(`two link emails expected, got ${JSON.stringify([...mails.links])}`);
  return { app, links: [first, second], env, restart: () => startChildApp({ env }) };
}

function problemsInLogs(app: ChildApp): string[] {
  const text = `${app.stdout()}\n${app.stderr()}`;
  return text
    .split('\n')
    .filter((line) => /unhandled.?rejection|uncaught.?exception|ERR_UNHANDLED_REJECTION|web route failed/i.test(line));
}

async function expectAlive(app: ChildApp, what: string): Promise<void> {
  expect(app.pid).toBeGreaterThan(0);
  let exit: unknown;
  void app.exited.then((result) => (exit = result));
  const response = await fetch(`${app.baseUrl}/healthz`).catch((error: unknown) => {
    throw new Error(`/healthz after ${what} failed (exit: ${JSON.stringify(exit)}): ${String(error)}\n${app.stderr()}`);
  });
  expect(response.status, `/healthz after ${what}`).toBe(200);
  await response.text();
  expect(exit, `the process exited after ${what}`).toBeUndefined();
}

describe('hostile HTTP requests', () => {
  it('are refused, and the process keeps running and writes nothing', async () => {
    const started = Date.now();
    const database = await createTestDatabase();
    const provisioned = await startProvisionedApp(database);
    let app = provisioned.app;
    let before: DatabaseSnapshot;
    let live: DatabaseHandle | undefined;
    if (database.databaseUrl) {
      live = await database.open();
      before = await settledSnapshot(live);
    } else {
      await app.stop();
      before = await readStoppedChildDatabase(provisioned.env['DATA_DIR'] ?? '', async (handle) => {
        // Stopped cleanly, the child finished the jobs it was running; none may be left for the restart.
        expect(await pendingJobs(handle), 'jobs left to run after provisioning').toEqual([]);
        return snapshotDatabase(handle);
      });
      app = await provisioned.restart();
    }
    const context: HostileContext = { app, links: provisioned.links };
    const setUpAfter = Date.now() - started;

    for (const hostile of HOSTILE_CASES) {
      try {
        await hostile.send(context);
        await expectAlive(app, hostile.name);
        if (live) await expectUnchanged(live, before, hostile.name);
      } catch (error) {
        throw new Error(`case "${hostile.name}": ${(error as Error).message}`, { cause: error });
      }
    }
    expect(problemsInLogs(app)).toEqual([]);
    process.stdout.write(
      `hostile-http (${database.kind}): ${HOSTILE_CASES.length} cases in ${Date.now() - started - setUpAfter} ms after ${setUpAfter} ms of set-up\n`,
    );

    if (!live) {
      await app.stop();
      await readStoppedChildDatabase(provisioned.env['DATA_DIR'] ?? '', (handle) =>
        expectUnchanged(handle, before, 'all the cases'),
      );
    }
  }, 240_000);
});

describe('the web server, when a handler fails', () => {
  const LINK_ID = 'SecretLinkId0123456789';

  async function startFailingServer() {
    const lines: string[] = [];
    const slackCalls: string[] = [];
    const fail = (name: string, handler: Route['handler']): Route => ({
      name,
      method: 'GET',
      path: new RegExp(`^/${name}/(?<linkId>[A-Za-z0-9]+)$`),
      handler,
    });
    const routes: Route[] = [
      fail('throws-at-once', () => {
        throw new Error('sync failure');
      }),
      fail('rejects-later', async () => {
        await Promise.resolve();
        throw new Error('async failure');
      }),
      fail('throws-after-headers', (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('half an ans');
        throw new Error('failure mid-answer');
      }),
      fail('throws-after-answering', (_request, response) => {
        response.end('done');
        throw new Error('failure after the answer');
      }),
      { name: 'healthz', method: 'GET', path: '/healthz', handler: (_request, response) => void response.end('ok') },
    ];
    const server = await startWebServer({
      port: 0,
      routes,
      slackEventsPath: '/slack/events',
      slackEvents: (request) => {
        slackCalls.push(request.method ?? '');
        throw new Error('listener failure');
      },
      logger: createLogger({ write: (line) => lines.push(line) }),
    });
    closers.push(() => server.close());
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    return { baseUrl, port: server.port, logged, lines, slackCalls };
  }

  it('answers 500 for an error thrown at once or later, and logs the route name, never the path', async () => {
    const server = await startFailingServer();
    for (const name of ['throws-at-once', 'rejects-later']) {
      const response = await fetch(`${server.baseUrl}/${name}/${LINK_ID}`);
      expect(response.status, name).toBe(500);
      await response.text();
      expect(server.logged().find((line) => line['route'] === name)?.['message'], name).toBe('web route failed');
    }
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    expect(server.lines.join('\n')).not.toContain(LINK_ID);
    expect(server.logged().every((line) => line['path'] === undefined)).toBe(true);
  });

  it('cuts the connection when a handler fails half way through its answer, and ignores a failure after it', async () => {
    const server = await startFailingServer();
    const cut = await rawExchange(server.port, requestText('GET', `/throws-after-headers/${LINK_ID}`));
    // Whatever of the 200 got out (possibly nothing), it never ends the way a complete chunked answer does.
    expect(cut.text.endsWith('0\r\n\r\n'), cut.text).toBe(false);
    expect(cut.text).not.toContain('Internal error');
    const answered = await rawExchange(server.port, requestText('GET', `/throws-after-answering/${LINK_ID}`));
    expect(answered.status).toBe(200);
    expect(answered.text.endsWith('done')).toBe(true);
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    expect(server.logged().filter((line) => line['message'] === 'web route failed')).toHaveLength(2);
  });

  it('answers 405 (Allow: POST) to anything but POST on /slack/events before the listener sees it, and 500 when the listener throws', async () => {
    const server = await startFailingServer();
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']) {
      const response = await fetch(`${server.baseUrl}/slack/events`, { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow'), method).toBe('POST');
    }
    expect(server.slackCalls).toEqual([]);
    const response = await fetch(`${server.baseUrl}/slack/events`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(500);
    expect(server.slackCalls).toEqual(['POST']);
    expect(server.logged().find((line) => line['message'] === 'web route failed')?.['route']).toBe('slack-events');
  });
});
