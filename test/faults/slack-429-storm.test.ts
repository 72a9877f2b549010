// Fault suite: Slack answers 429 (Retry-After) to a storm of calls while a request is approved and
// provisioned — the card update, the thread replies, the progress message and its edits, the DMs, the
// results upload. Every message still arrives, each exactly once, and provisioning completes.
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { startTestApp } from '../support/test-app.ts';
import { approveThroughModal, expectCompleteRun, requestAwaitingApproval } from './fault-run.ts';

const LINES = 60;
const CHANNEL = 'C0STORM01';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('a Slack 429 storm during approval and provisioning', () => {
  it('delivers every message once, the summary included, and completes the request', async () => {
    const smtp = await startSmtpCapture();
    closers.push(() => smtp.close());
    const app = await startTestApp({ env: { SMTP_URL: smtp.url, MAIL_RATE_PER_SECOND: '1000' } });
    const request = await requestAwaitingApproval(app, { lines: LINES, channel: CHANNEL, prefix: 'storm' });
    const rateLimited = { status: 429, headers: { 'Retry-After': '1' } };
    // Three 429s in a row outlast one call's own retries (the job behind it must retry), two do not.
    const storm: Record<string, number> = {
      'chat.postMessage': 3,
      'chat.update': 3,
      'files.getUploadURLExternal': 3,
      'conversations.open': 2,
      'files.completeUploadExternal': 2,
    };
    for (const [method, times] of Object.entries(storm)) app.slackApi.failNext(method, rateLimited, times);
    await approveThroughModal(app, request.id);

    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith('Summary') && (call.response as { ok?: boolean }).ok === true,
      120_000,
    );
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) =>
        String(call.args.channel).startsWith('D') &&
        String(call.args.text).includes('is now Completed') &&
        (call.response as { ok?: boolean }).ok === true,
      60_000,
    );
    expect(app.slackApi.calls.filter((call) => call.status === 429)).toHaveLength(13);
    const delivered = (predicate: (text: string, args: Record<string, unknown>) => boolean) =>
      app.slackApi
        .callsTo('chat.postMessage')
        .filter(
          (call) => (call.response as { ok?: boolean }).ok === true && predicate(String(call.args.text), call.args),
        );
    expect(delivered((text) => text.startsWith('Processing'))).toHaveLength(1);
    expect(delivered((text) => text.includes('approved') && text.includes(request.code))).toHaveLength(1);
    expect(
      delivered((text, args) => String(args['channel']).startsWith('D') && text.includes('is now Completed')),
    ).toHaveLength(1);
    expect(app.slackApi.uploads.filter((upload) => upload.filename.endsWith('-results.xlsx'))).toHaveLength(1);
    await expectCompleteRun(app, { requestId: request.id, lines: LINES, messages: smtp.messages, maxDuplicates: 0 });
    expect(app.slackApi.violations).toEqual([]);
  });
});
