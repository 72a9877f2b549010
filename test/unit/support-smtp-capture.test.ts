import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import type { SmtpCapture } from '../support/smtp-capture.ts';

describe('SMTP capture', () => {
  let capture: SmtpCapture;

  beforeEach(async () => {
    capture = await startSmtpCapture();
  });

  afterEach(async () => {
    await capture.close();
  });

  function createTransport(url = capture.url): Transporter {
    return nodemailer.createTransport(url);
  }

  it('listens on a random local port without TLS', () => {
    expect(capture.url).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    expect(capture.url).toBe(`smtp://127.0.0.1:${capture.port}`);
  });

  it('captures what nodemailer sends', async () => {
    const transport = createTransport();
    await transport.sendMail({
      from: 'domum@example.test',
      to: ['alice@example.test', 'bob@example.test'],
      subject: 'Wöchentliche Aufgaben ✓',
      text: 'Dishes are due today.',
    });
    const [message] = await capture.waitForMessages(1);
    expect(message?.from).toBe('domum@example.test');
    expect(message?.to).toEqual(['alice@example.test', 'bob@example.test']);
    expect(message?.subject).toBe('Wöchentliche Aufgaben ✓');
    expect(message?.headers['to']).toBe('alice@example.test, bob@example.test');
    expect(message?.raw).toContain('Dishes are due today.');
  });

  it('accepts clients that log in', async () => {
    const url = capture.url.replace('smtp://', 'smtp://mailer:secret@');
    await createTransport(url).sendMail({ from: 'a@example.test', to: 'b@example.test', text: 'hi' });
    const [message] = await capture.waitForMessages(1);
    expect(message?.authUser).toBe('mailer');
  });

  it('rejects the next message at DATA with a scripted code, then accepts again', async () => {
    capture.rejectNext(451, 'Try again later');
    const transport = createTransport();
    const mail = { from: 'a@example.test', to: 'b@example.test', subject: 'one', text: 'x' };
    await expect(transport.sendMail(mail)).rejects.toMatchObject({ responseCode: 451 });
    await transport.sendMail({ ...mail, subject: 'two' });
    const messages = await capture.waitForMessages(1);
    expect(messages.map((message) => message.subject)).toEqual(['two']);
    expect(capture.rejections).toMatchObject([{ stage: 'data', code: 451, to: ['b@example.test'] }]);
  });

  it('rejects recipients at RCPT when asked', async () => {
    capture.rejectNext(550, 'No such user', 1, 'rcpt');
    await expect(
      createTransport().sendMail({ from: 'a@example.test', to: 'ghost@example.test', text: 'x' }),
    ).rejects.toMatchObject({ responseCode: 550 });
    expect(capture.rejections[0]).toMatchObject({ stage: 'rcpt', code: 550, to: ['ghost@example.test'] });
    expect(capture.messages).toHaveLength(0);
  });

  it('keeps failing with failWith until cleared', async () => {
    const failing = await startSmtpCapture({ failWith: { code: 550, message: 'Mailbox unavailable' } });
    try {
      const transport = createTransport(failing.url);
      const mail = { from: 'a@example.test', to: 'b@example.test', text: 'x' };
      for (let attempt = 0; attempt < 2; attempt += 1) {
        await expect(transport.sendMail(mail)).rejects.toMatchObject({ responseCode: 550 });
      }
      failing.setFailWith(undefined);
      await transport.sendMail(mail);
      await failing.waitForMessages(1);
      expect(failing.rejections).toHaveLength(2);
    } finally {
      await failing.close();
    }
  });

  it('times out waiting for messages that never come', async () => {
    await expect(capture.waitForMessages(1, 50)).rejects.toThrow(/Timed out after 50 ms waiting for 1 message/);
  });

  it('closes promptly even while a pooled client keeps its connection open', async () => {
    const pooled = nodemailer.createTransport({ host: capture.host, port: capture.port, pool: true, secure: false });
    await pooled.sendMail({ from: 'a@example.test', to: 'b@example.test', text: 'x' });
    const started = performance.now();
    await capture.close();
    expect(performance.now() - started).toBeLessThan(2000);
    pooled.close();
    capture = await startSmtpCapture();
  });
});
