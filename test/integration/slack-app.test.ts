// The Slack adapter end to end in one process: signed requests to /slack/events, the fake Web API behind
// SLACK_API_URL, and the probes.
import { describe, expect, it } from 'vitest';
import { MALFORMED_COMMAND_TEXT } from '../../src/slack/commands/domum-command.ts';
import { slashCommandFields, slashCommandRequest } from '../support/slash-command.ts';
import { startTestApp } from '../support/test-app.ts';

describe('/domum', () => {
  it('answers help privately, listing every subcommand', async () => {
    const app = await startTestApp();
    const response = await app.slack.command({ text: 'help', userId: 'U0REQ0001' });
    expect(response.status).toBe(200);
    const body = response.json() as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('/domum help');
  });

  it('answers an empty command and an unknown subcommand with help, never silence', async () => {
    const app = await startTestApp();
    const empty = (await app.slack.command({ text: '', userId: 'U0REQ0001' })).json() as { text: string };
    expect(empty.text).toContain('/domum help');
    const unknown = (await app.slack.command({ text: 'frobnicate <!channel>', userId: 'U0REQ0001' })).json() as {
      text: string;
    };
    expect(unknown.text).toContain("I don't know `frobnicate`");
    expect(unknown.text).toContain('/domum help');
  });

  it('escapes what the user typed when echoing it', async () => {
    const app = await startTestApp();
    const unknown = (await app.slack.command({ text: '<!channel>', userId: 'U0REQ0001' })).json() as { text: string };
    expect(unknown.text).toContain('&lt;!channel&gt;');
    expect(unknown.text).not.toContain('<!channel>');
  });

  it('answers a signed command whose fields are not as Slack sends them plainly, for every subcommand', async () => {
    const app = await startTestApp();
    const fields = slashCommandFields({ text: 'help', userId: 'U0REQ0001', responseUrl: app.slackApi.responseUrl() });
    const base = Object.entries(fields).filter(([key]) => key !== 'text');
    const without = (name: string) => base.filter(([key]) => key !== name);
    for (const subcommand of ['help', 'import', 'status', 'status W000001', 'cancel W000001', 'template']) {
      const cases = [
        // A repeated field arrives as a list: `text.trim is not a function` inside the subcommand before.
        slashCommandRequest([...base, ['text', subcommand], ['text', subcommand]]),
        // No response_url: `respond is not a function` inside /domum cancel before.
        slashCommandRequest([...without('response_url'), ['text', subcommand]]),
        slashCommandRequest([...without('user_id'), ['text', subcommand]]),
      ];
      for (const request of cases) {
        const response = await app.slack.send(request);
        expect(response.status, subcommand).toBe(200);
        expect((response.json() as { text: string }).text).toBe(MALFORMED_COMMAND_TEXT);
      }
    }
    expect(app.logs.filter((line) => line.level === 'error')).toEqual([]);
  });
});

describe('request signing', () => {
  it('refuses a wrong signature and a stale timestamp with 401 before any handler runs', async () => {
    const app = await startTestApp();
    const wrongSecret = await app.slack.command(
      { text: 'help', userId: 'U0REQ0001' },
      { signingSecret: 'not-the-secret' },
    );
    const garbage = await app.slack.command({ text: 'help', userId: 'U0REQ0001' }, { signature: 'v0=deadbeef' });
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await app.slack.command({ text: 'help', userId: 'U0REQ0001' }, { timestampSeconds: sixMinutesAgo });
    for (const response of [wrongSecret, garbage, stale]) {
      expect(response.status).toBe(401);
      expect(response.text).not.toContain('/domum help');
    }
    // The request log middleware runs before every listener: no line means no listener ran.
    expect(app.logs.filter((line) => line.message === 'slack request')).toEqual([]);
    const valid = await app.slack.command({ text: 'help', userId: 'U0REQ0001' });
    expect(valid.status).toBe(200);
    expect(app.logs.filter((line) => line.message === 'slack request')).toHaveLength(1);
  });
});

describe('probes', () => {
  it('/healthz says the process is alive and /readyz that the database answers', async () => {
    const app = await startTestApp();
    const health = await fetch(`${app.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${app.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect((await fetch(`${app.baseUrl}/nope`)).status).toBe(404);
  });
});

describe('logs', () => {
  it('never contain the bot token, the signing secret or the secret key', async () => {
    const app = await startTestApp();
    await app.slack.command({ text: 'help', userId: 'U0REQ0001' });
    await app.slack.command({ text: 'help', userId: 'U0REQ0001' }, { signingSecret: 'wrong' });
    const all = app.rawLogs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(app.slackApi.botToken);
    expect(all).not.toContain('test-signing-secret');
    expect(all).not.toContain('test-secret-key');
  });
});
