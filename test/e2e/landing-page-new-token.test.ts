// "Send me a new token" (issue 13), over real HTTP against the running app: the page answers every link
// alike and does nothing but enqueue one job per link (its SQL is recorded); however many presses, one job per
// link waits; the job sends exactly one token, even when run again, and retries a transient mail error; failed
// sends count towards ten attempts a day, shared with the admin resend from Slack.
import type { DatabaseConnection, QueryExecutor } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/schema.ts';
import { sendNewTokenQueue, accessLifecycleQueue } from '../../src/jobs/queues.ts';
import { sendNewTokenJob } from '../../src/jobs/send-new-token-job.ts';
import { createLogger } from '../../src/logger.ts';
import { NEW_TOKEN_ANSWER, NEW_TOKEN_LIMITS } from '../../src/web/landing-page.ts';
import {
  linkIdOf,
  newTokenJobs,
  pressResendButton,
  provision,
  TOKEN,
  writtenState,
} from '../support/landing-page-driver.ts';
import { waitFor } from '../support/wait-for.ts';
import type { FormPair } from '../support/landing-page-driver.ts';

/**
 * Records the SQL of every statement run through `db` (and its transactions), at the connection, until
 * stopped. Everything else about the connection (PGlite's transaction methods) passes through untouched.
 */
function recordSql(db: Db): { statements: string[]; stop(): void } {
  const executor = db.getExecutor();
  const original = executor.provideConnection.bind(executor);
  const statements: string[] = [];
  const recording = (connection: DatabaseConnection): DatabaseConnection =>
    new Proxy(connection, {
      get(target, property) {
        if (property === 'executeQuery' || property === 'streamQuery') {
          return (query: { sql: string }, ...rest: unknown[]) => {
            statements.push(query.sql);
            return (target[property] as (...args: unknown[]) => unknown).call(target, query, ...rest);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  const provideConnection: QueryExecutor['provideConnection'] = (consumer, options) =>
    original((connection) => consumer(recording(connection)), options);
  Object.defineProperty(executor, 'provideConnection', { value: provideConnection, configurable: true });
  return {
    statements,
    stop: () => {
      delete (executor as { provideConnection?: unknown }).provideConnection;
    },
  };
}

describe('"Send me a new token"', () => {
  it('answers every link alike, does nothing but enqueue its job, and keeps one job per link however many presses', async () => {
    const users: Array<[string, string]> = [
      ['Ana', 'ana@globex.example'], // open
      ['Bia', 'bia@globex.example'], // locked by five wrong tokens
      ['Caio', 'caio@globex.example'], // activated
      ['Duda', 'duda@globex.example'], // cancelled
      ['Enzo', 'enzo@globex.example'], // finished
      ['Fabi', 'fabi@globex.example'], // on hold (the mail server refused its emails)
      ['Gil', 'gil@globex.example'], // rate-limited: an admin sent a new token a moment ago
    ];
    const {
      app,
      db,
      smtp,
      mailsTo,
      linkOf,
      tokenOf,
      formOf,
      computedPair,
      postToken,
      askNewToken,
      newTokenJobsSettled,
    } = await provision(users);
    const link = (name: string) => linkOf(`${name.toLowerCase()}@globex.example`);
    // Every form taken while its page still showed one (a user whose access changes keeps the page open).
    const pairs = new Map<string, FormPair>();
    for (const [name] of users) pairs.set(name, await formOf(link(name)));
    const unknown = `${app.baseUrl}/access/unknownLinkId0000000000`;
    pairs.set('unknown', computedPair(unknown));

    // Gil's new token comes from an admin's resend: the access's own limit (shared with the job) then refuses
    // the job, while the page, which counts only its own presses per link id, takes the press like any other.
    const gilCode = (
      await db
        .selectFrom('accesses')
        .select('code')
        .where('link_id', '=', linkIdOf(link('Gil')))
        .executeTakeFirstOrThrow()
    ).code;
    expect(await pressResendButton(app, 'U0ADMIN01', gilCode)).toContain('Sent the access link and a new token');
    expect(mailsTo('gil@globex.example').filter((raw) => TOKEN.test(raw))).toHaveLength(2);
    for (let attempt = 0; attempt < 5; attempt += 1) await postToken(link('Bia'), 'ABCD-EFGH-JKMN', pairs.get('Bia'));
    expect((await postToken(link('Caio'), tokenOf('caio@globex.example'), pairs.get('Caio'))).status).toBe(200);
    const setStatus = (name: string, status: 'cancelled' | 'finished' | 'error') =>
      db
        .updateTable('accesses')
        .set({ status, ...(status === 'cancelled' ? { cancelled_at: new Date() } : {}) })
        .where('link_id', '=', linkIdOf(link(name)))
        .execute();
    await setStatus('Duda', 'cancelled');
    await setStatus('Enzo', 'finished');
    await setStatus('Fabi', 'error');

    // No job runs while the requests are recorded: what is recorded is the requests' own work.
    const boss = app.running.deps.jobs.boss;
    await boss.offWork(sendNewTokenQueue.name);
    await boss.offWork(accessLifecycleQueue.name);
    const mailsBefore = smtp.messages.length;
    const states = ['Ana', 'Bia', 'Caio', 'Duda', 'Enzo', 'Fabi', 'Gil', 'unknown'];
    const answers = new Map<string, { status: number; body: string; statements: string[] }>();
    for (const name of states) {
      const target = name === 'unknown' ? unknown : link(name);
      const recorder = recordSql(db);
      try {
        const response = await askNewToken(target, pairs.get(name));
        const body = (await response.text()).replaceAll(linkIdOf(target), '<link>');
        answers.set(name, { status: response.status, body, statements: [...recorder.statements] });
      } finally {
        recorder.stop();
      }
    }
    const open = answers.get('Ana');
    expect(open?.status).toBe(200);
    expect(open?.body).toContain(NEW_TOKEN_ANSWER);
    for (const name of states) expect(answers.get(name), name).toEqual(open);
    // The press counted for the link id and the enqueue, in one transaction, and nothing else: no lookup of the
    // link, nothing of any access read or written.
    const work = (open?.statements ?? []).filter((statement) => !/^(begin|commit)$/i.test(statement.trim()));
    expect(work.filter((statement) => /pgboss/.test(statement))).toHaveLength(1);
    for (const statement of work) {
      expect(statement).toMatch(/pgboss|new_token_presses|pg_advisory_xact_lock/);
      expect(statement).not.toMatch(/\b(accesses|token_resends|audit_events)\b/);
    }

    // A forged pair: refused before any database work.
    const recorder = recordSql(db);
    try {
      const forged = { cookie: pairs.get('Ana')?.cookie ?? '', csrf: 'forged' };
      expect((await askNewToken(link('Ana'), forged)).status).toBe(403);
      expect(recorder.statements).toEqual([]);
    } finally {
      recorder.stop();
    }

    // A flood of presses for one link, within the minute of its last: each is refused by the page with the same
    // answer, and no job is added.
    const flood = await Promise.all(Array.from({ length: 20 }, () => askNewToken(link('Ana'), pairs.get('Ana'))));
    expect(flood.map((response) => response.status)).toEqual(Array.from({ length: 20 }, () => 429));
    expect(new Set(await Promise.all(flood.map((response) => response.text()))).size).toBe(1);
    const waiting = (await newTokenJobs(db)).filter((job) => job.state === 'created');
    expect(waiting).toHaveLength(states.length);
    expect(waiting.filter((job) => job.singletonKey === linkIdOf(link('Ana')))).toHaveLength(1);
    expect(smtp.messages.length).toBe(mailsBefore);

    // The jobs run: only the open and the locked access get a token; the rest (rate-limited too) get nothing.
    await app.running.deps.jobs.work(sendNewTokenQueue, sendNewTokenJob(app.running.deps));
    await newTokenJobsSettled(states.length);
    const newMails = smtp.messages.slice(mailsBefore).map((message) => message.to[0]);
    expect(newMails.sort()).toEqual(['ana@globex.example', 'bia@globex.example']);
    expect((await postToken(link('Bia'), tokenOf('bia@globex.example'), pairs.get('Bia'))).status).toBe(200);
  }, 120_000);

  it('sends exactly one token per job, also when the job runs again, and retries a transient mail error', async () => {
    let offset = 0;
    const { app, db, smtp, mailsTo, linkOf, tokenOf, postToken, askNewToken, newTokenJobsSettled } = await provision(
      [['Hugo', 'hugo@globex.example']],
      { now: () => new Date(Date.now() + offset) },
    );
    const hugo = linkOf('hugo@globex.example');
    const tokens = () => mailsTo('hugo@globex.example').filter((raw) => TOKEN.test(raw)).length;
    const firstToken = tokenOf('hugo@globex.example');

    // The mail server asks to try later once: the job fails, is retried after its delay, and sends.
    smtp.rejectNext(451, 'try again later');
    expect((await askNewToken(hugo)).status).toBe(200);
    await newTokenJobsSettled(1);
    const [job] = await newTokenJobs(db);
    expect(job).toMatchObject({ state: 'completed', retryCount: 1 });
    expect(smtp.rejections.map((rejection) => rejection.code)).toEqual([451]);
    expect(tokens()).toBe(2);
    const access = await db
      .selectFrom('accesses')
      .select(['id', 'token_hash'])
      .where('link_id', '=', linkIdOf(hugo))
      .executeTakeFirstOrThrow();
    const attempts = () =>
      db
        .selectFrom('token_resends')
        .select(['job_id', 'sent_at', 'error'])
        .where('access_id', '=', access.id)
        .orderBy('id')
        .execute();
    expect(await attempts()).toEqual([
      { job_id: job?.id, sent_at: null, error: expect.stringContaining('try later') },
      { job_id: job?.id, sent_at: expect.any(Date), error: null },
    ]);

    // The same job run again (pg-boss may hand a job out twice): nothing more is sent or written.
    const handler = sendNewTokenJob(app.running.deps);
    const logger = createLogger({ level: 'error', write: () => undefined });
    const before = await writtenState(db);
    await handler({ linkId: linkIdOf(hugo) }, { jobId: job?.id ?? '', retryCount: 0, isLastAttempt: false, logger });
    expect(tokens()).toBe(2);
    expect(await writtenState(db)).toEqual(before);
    const secondToken = tokenOf('hugo@globex.example');
    expect(secondToken).not.toBe(firstToken);

    // A run that stopped after reserving (its email may or may not have left): the next run of that job
    // counts it as failed and sends a fresh token, which is the one that works.
    offset += 61_000;
    await db
      .insertInto('token_resends')
      .values({
        access_id: access.id,
        requested_by: 'third-party',
        created_at: new Date(Date.now() + offset),
        job_id: 'stopped-job',
      })
      .execute();
    await handler({ linkId: linkIdOf(hugo) }, { jobId: 'stopped-job', retryCount: 1, isLastAttempt: false, logger });
    expect(tokens()).toBe(3);
    expect((await attempts()).slice(2)).toEqual([
      { job_id: 'stopped-job', sent_at: null, error: 'interrupted before its outcome was recorded' },
      { job_id: 'stopped-job', sent_at: expect.any(Date), error: null },
    ]);
    expect((await postToken(hugo, secondToken)).status).toBe(400);
    expect((await postToken(hugo, tokenOf('hugo@globex.example'))).status).toBe(200);
  }, 120_000);

  it('counts failed sends towards ten attempts a day, so a refusing mail server cannot be used to send without limit; the admin resend shares the limit', async () => {
    let offset = 0;
    const { app, db, smtp, mailsTo, linkOf, tokenOf, postToken } = await provision([['Ines', 'ines@globex.example']], {
      now: () => new Date(Date.now() + offset),
    });
    const ines = linkOf('ines@globex.example');
    const firstToken = tokenOf('ines@globex.example');
    const { code, token_hash: hashBefore } = await db
      .selectFrom('accesses')
      .select(['code', 'token_hash'])
      .where('link_id', '=', linkIdOf(ines))
      .executeTakeFirstOrThrow();
    // The page itself takes one press a minute and five a day per link id; the access's ten attempts a day are
    // what its job meets, whoever queued it, so the job is run directly here, once per press.
    const handler = sendNewTokenJob(app.running.deps);
    const logger = createLogger({ level: 'error', write: () => undefined });
    // Provisioning records the token email as sent just after the mail server took it.
    await waitFor(
      async () =>
        (
          await db
            .selectFrom('accesses')
            .select('token_email_sent_at')
            .where('code', '=', code)
            .executeTakeFirstOrThrow()
        ).token_email_sent_at !== null,
      { timeoutMs: 15_000, description: 'the first token email recorded as sent' },
    );
    let jobs = 0;
    const ask = async () => {
      jobs += 1;
      await handler(
        { linkId: linkIdOf(ines) },
        { jobId: `press-${jobs}`, retryCount: 0, isLastAttempt: false, logger },
      );
    };

    // Refused at once, every time: each press is one attempt, and none waits for the one-a-minute limit.
    smtp.setFailWith({ code: 550, message: 'mailbox unavailable' });
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      await ask();
      expect(smtp.rejections).toHaveLength(attempt);
    }
    await ask();
    expect(smtp.rejections).toHaveLength(10);
    expect(await pressResendButton(app, 'U0ADMIN01', code)).toBe(
      `${code} had 10 attempts to send a new token in the last 24 hours, some of them not taken by the mail server. Try again in about 24 hours.`,
    );
    expect(smtp.rejections).toHaveLength(10);

    // The mail server is back: the limit still holds for 24 hours; the first token still works meanwhile.
    smtp.setFailWith(undefined);
    await ask();
    expect(smtp.rejections).toHaveLength(10);
    expect(mailsTo('ines@globex.example').filter((raw) => TOKEN.test(raw))).toHaveLength(1);
    expect(
      (await db.selectFrom('accesses').select('token_hash').where('code', '=', code).executeTakeFirstOrThrow())
        .token_hash,
    ).toBe(hashBefore);
    offset += 24 * 3600 * 1000 + 1_000;
    await ask();
    expect(mailsTo('ines@globex.example').filter((raw) => TOKEN.test(raw))).toHaveLength(2);
    expect((await postToken(ines, firstToken)).status).toBe(400);
    expect((await postToken(ines, tokenOf('ines@globex.example'))).status).toBe(200);
    const resends = await db.selectFrom('token_resends').select(['sent_at', 'error']).execute();
    expect(resends.filter((row) => row.error?.includes('mailbox unavailable'))).toHaveLength(10);
    expect(resends.filter((row) => row.sent_at)).toHaveLength(1);
  }, 120_000);

  it('refuses a press over the limit with when to ask again, and answers a link that does not exist exactly alike', async () => {
    const clock = { now: new Date(Date.now()) };
    const { app, linkOf, computedPair, askNewToken, newTokenJobsSettled } = await provision(
      [['Joao', 'joao@globex.example']],
      { now: () => clock.now, env: { DEFAULT_TIMEZONE: 'America/Sao_Paulo' } },
    );
    clock.now = new Date('2027-01-10T12:00:00Z');
    const known = linkOf('joao@globex.example');
    const unknown = `${app.baseUrl}/access/${'Z'.repeat(22)}`;
    const pairs = new Map([
      [known, computedPair(known)],
      [unknown, computedPair(unknown)],
    ]);
    /**
     * Both links pressed at the same instant: status, Retry-After and body (link id masked). That both run the
     * same statements is checked above ("answers every link alike").
     */
    const pressBoth = async () => {
      const answers = [];
      for (const link of [known, unknown]) {
        const response = await askNewToken(link, pairs.get(link));
        answers.push({
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          body: (await response.text()).replaceAll(linkIdOf(link), '<link>'),
        });
      }
      expect(answers[1]).toEqual(answers[0]);
      return answers[0]!;
    };

    expect((await pressBoth()).status).toBe(200);
    await newTokenJobsSettled(2);
    // Again within the minute: refused, saying so and when to ask again (in DEFAULT_TIMEZONE, with its offset).
    clock.now = new Date('2027-01-10T12:00:30Z');
    const minute = await pressBoth();
    expect(minute.status).toBe(429);
    expect(minute.retryAfter).toBe('30');
    expect(minute.body).toContain('A new token was asked for from this page less than a minute ago.');
    expect(minute.body).toContain(NEW_TOKEN_LIMITS);
    expect(minute.body).toContain('You can ask again after 10 Jan 2027 09:01 America/Sao_Paulo (UTC\u221203:00).');
    // Four more, a minute apart, are taken; the sixth in 24 hours is refused until the first leaves the window.
    for (let press = 1; press <= 4; press += 1) {
      clock.now = new Date(Date.UTC(2027, 0, 10, 12, press * 2));
      expect((await pressBoth()).status).toBe(200);
      await newTokenJobsSettled(2 + press * 2);
    }
    clock.now = new Date('2027-01-10T12:30:00Z');
    const day = await pressBoth();
    expect(day.status).toBe(429);
    expect(day.body).toContain('Five new tokens were asked for from this page in the last 24 hours.');
    expect(day.body).toContain('You can ask again after 11 Jan 2027 09:00 America/Sao_Paulo (UTC\u221203:00).');
    clock.now = new Date('2027-01-11T12:00:01Z');
    expect((await pressBoth()).status).toBe(200);
  }, 120_000);
});
