// escapeMrkdwn (src/slack/blocks/mrkdwn.ts): user text shows in Slack as typed — no mention, link or formatting
// comes out of it, and names and emails with markers inside a word copy out unchanged.
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../src/slack/blocks/mrkdwn.ts';

const JOINER = '\u2060';

describe('escapeMrkdwn', () => {
  it('turns the control characters into entities, so no mention or link comes out', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil.example|click>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;',
    );
    expect(escapeMrkdwn('<@U0ADMIN01>')).toBe('&lt;@U0ADMIN01&gt;');
  });

  it('puts a word joiner before a marker that would open bold, italic, strikethrough or code', () => {
    expect(escapeMrkdwn('*Acme*')).toBe(`${JOINER}*Acme*`);
    expect(escapeMrkdwn('_now_ ~never~ `code`')).toBe(`${JOINER}_now_ ${JOINER}~never~ ${JOINER}\`code\``);
    expect(escapeMrkdwn('(*x*)')).toBe(`(${JOINER}*x*)`);
  });

  it('leaves markers inside a word alone, so names and emails copy out unchanged', () => {
    expect(escapeMrkdwn('bob_smith')).toBe('bob_smith');
    expect(escapeMrkdwn('first_last@acme.example')).toBe('first_last@acme.example');
    expect(escapeMrkdwn('Acme Corp')).toBe('Acme Corp');
    expect(escapeMrkdwn('2*3')).toBe('2*3');
  });

  it('never changes what a reader sees: without the joiners, the text is the entity-encoded original', () => {
    const samples = ['*Acme* <!channel>', '_x_.xlsx', '~Bob~ _the_ *builder*', 'a & b', '', '***'];
    for (const sample of samples) {
      const decoded = escapeMrkdwn(sample)
        .replaceAll(JOINER, '')
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&amp;', '&');
      expect(decoded).toBe(sample);
    }
  });
});
