// The two emails a new active user receives. They are separate on purpose: whoever reads one of them
// (a forwarded mail, a shared mailbox) has the link or the token, never both. Each says who asked and why,
// what to do next and whom to contact, so a user outside the organisation can tell it from phishing and act on
// it (README "Importing users" → the emails). Every value is escaped: HTML-escaped in the HTML part, and
// reduced to one line without control characters in the plain-text part, so no value can add lines of its own.
// The only controls named are the landing page's, which exist there ("Activate my access", "Send me a new
// token"); an email has no buttons. Pure: no I/O.
import { formatDuration, formatInstantWithZone } from '../domain/instant-words.ts';
import { escapeHtml } from '../domain/output-safety.ts';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/** Who asked for the access and why, and whom the user can ask: the same in both emails. */
export interface AccessMailContext {
  /** The requester's name as Slack shows it; unknown when Slack could not be asked. */
  requesterName: string | undefined;
  /** ORGANISATION_NAME, or the Slack workspace's name. */
  organisation: string | undefined;
  /** The request's justification (only its first line is quoted). */
  justification: string;
  /** SUPPORT_CONTACT: shown only when set. */
  supportContact: string | undefined;
}

export interface AccessLinkMailInput extends AccessMailContext {
  to: string;
  userName: string;
  vendorName: string;
  link: string;
  accessCode: string;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
}

export interface AccessTokenMailInput extends AccessMailContext {
  to: string;
  userName: string;
  vendorName: string;
  accessCode: string;
  token: string;
  /** When the token was issued: "valid for …" counts from it. */
  sentAt: Date;
  expiresAt: Date;
  timeZone: string;
}

export interface AccessEndingMailInput extends AccessMailContext {
  to: string;
  userName: string;
  vendorName: string;
  accessCode: string;
  endsAt: Date;
  timeZone: string;
}

/** A value on one line: control characters and line breaks become spaces, runs of spaces one. */
export function oneLine(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const REASON_MAX = 200;

/** The justification's first non-empty line, cut at 200 characters. */
export function firstLineOf(text: string): string {
  const line = oneLine(text.split(/\r\n|\r|\n/).find((candidate) => candidate.trim() !== '') ?? '');
  return line.length > REASON_MAX ? `${line.slice(0, REASON_MAX - 1)}…` : line;
}

/** "Maria Silva (Acme Bank)", "Maria Silva", "someone at Acme Bank", "someone at the organisation". */
function askerOf(context: AccessMailContext): string {
  const name = context.requesterName ? oneLine(context.requesterName) : '';
  const organisation = context.organisation ? oneLine(context.organisation) : '';
  if (name && organisation) return `${name} (${organisation})`;
  if (name) return name;
  return organisation ? `someone at ${organisation}` : 'someone at the organisation';
}

/** The closing lines: whom to contact, when SUPPORT_CONTACT is set, and what to do with an unexpected email. */
function contactLines(context: AccessMailContext): string[] {
  const support = context.supportContact ? oneLine(context.supportContact) : '';
  return support
    ? [`Questions, or not expecting this email? Contact ${support}.`]
    : ['Not expecting this email? Do not use it, and tell the person who asked for the access.'];
}

export function accessLinkMail(input: AccessLinkMailInput): MailContent {
  // The link goes into an href: anything but http(s) (javascript:, data:) would be a bug upstream, so refuse it.
  if (!/^https?:\/\//i.test(input.link)) throw new Error('The access link must be an http(s) URL');
  const vendor = oneLine(input.vendorName);
  const code = oneLine(input.accessCode);
  const subject = `Domum: your access link for ${vendor} (${code})`;
  const from = formatInstantWithZone(input.startsAt, input.timeZone);
  const until = formatInstantWithZone(input.endsAt, input.timeZone);
  const intro = `${askerOf(input)} asked for an access for you as a user of ${vendor} (access ${code}), from ${from} until ${until}.`;
  const why = `Why: ${firstLineOf(input.justification)}`;
  const steps = [
    'Open your personal page with the link below.',
    `Enter the one-time token from the other email we are sending you (its subject ends with "${code}"), then choose "Activate my access".`,
    `From ${from}, connect the way you usually do; the access ends ${until}.`,
  ];
  const text = [
    `Hello ${oneLine(input.userName)},`,
    '',
    intro,
    why,
    '',
    'What to do next:',
    ...steps.map((step, index) => `${index + 1}. ${step}`),
    '',
    input.link,
    '',
    ...contactLines(input),
    '',
    'Domum',
  ].join('\n');
  const html = page(subject, [
    `<p>Hello ${escapeHtml(oneLine(input.userName))},</p>`,
    `<p>${escapeHtml(intro)}<br>${escapeHtml(why)}</p>`,
    '<p>What to do next:</p>',
    `<ol>${steps.map((step) => `<li>${escapeHtml(step)}</li>`).join('')}</ol>`,
    `<p><a href="${escapeHtml(input.link)}">Open your personal page</a></p>`,
    `<p>If the link does not open, copy this address into your browser:<br>${escapeHtml(input.link)}</p>`,
    ...contactLines(input).map((line) => `<p>${escapeHtml(line)}</p>`),
    '<p>Domum</p>',
  ]);
  return { subject, text, html };
}

export function accessTokenMail(input: AccessTokenMailInput): MailContent {
  const vendor = oneLine(input.vendorName);
  const code = oneLine(input.accessCode);
  const subject = `Domum: your one-time token for ${code}`;
  const validity = `valid for ${formatDuration(input.expiresAt.getTime() - input.sentAt.getTime())}, until ${formatInstantWithZone(input.expiresAt, input.timeZone)}`;
  const intro = `Your one-time token for access ${code} (${vendor}) is:`;
  const terms = `It is ${validity}, and works once.`;
  const asked = `${askerOf(input)} asked for this access. Why: ${firstLineOf(input.justification)}`;
  const steps = [
    `Open the link in the other email we sent you about ${code}.`,
    'Enter this token on that page, then choose "Activate my access".',
    'If the token has expired or does not work, choose "Send me a new token" on that page.',
  ];
  const text = [
    `Hello ${oneLine(input.userName)},`,
    '',
    intro,
    '',
    `    ${input.token}`,
    '',
    terms,
    asked,
    '',
    'What to do next:',
    ...steps.map((step, index) => `${index + 1}. ${step}`),
    '',
    ...contactLines(input),
    '',
    'Domum',
  ].join('\n');
  const html = page(subject, [
    `<p>Hello ${escapeHtml(oneLine(input.userName))},</p>`,
    `<p>${escapeHtml(intro)}</p>`,
    `<p style="font-family:monospace;font-size:1.4em;letter-spacing:0.1em"><strong>${escapeHtml(input.token)}</strong></p>`,
    `<p>${escapeHtml(terms)}<br>${escapeHtml(asked)}</p>`,
    '<p>What to do next:</p>',
    `<ol>${steps.map((step) => `<li>${escapeHtml(step)}</li>`).join('')}</ol>`,
    ...contactLines(input).map((line) => `<p>${escapeHtml(line)}</p>`),
    '<p>Domum</p>',
  ]);
  return { subject, text, html };
}

/**
 * A day before an access ends: when it ends (with the UTC offset), and whom to ask for more time — the person
 * who asked for it, and SUPPORT_CONTACT when set.
 */
export function accessEndingMail(input: AccessEndingMailInput): MailContent {
  const vendor = oneLine(input.vendorName);
  const code = oneLine(input.accessCode);
  const until = formatInstantWithZone(input.endsAt, input.timeZone);
  const subject = `Domum: your access ${code} ends ${until}`;
  const intro = `Your access ${code} as a user of ${vendor} ends ${until}. After that you can no longer connect with it.`;
  const asked = `${askerOf(input)} asked for this access. Why: ${firstLineOf(input.justification)}`;
  const support = input.supportContact ? oneLine(input.supportContact) : '';
  const whom = input.requesterName ? askerOf(input) : 'the person who asked for it';
  const more = support
    ? `Need more time? Ask ${whom} to extend it before it ends, or contact ${support}.`
    : `Need more time? Ask ${whom} to extend it before it ends.`;
  const text = [
    `Hello ${oneLine(input.userName)},`,
    '',
    intro,
    asked,
    '',
    more,
    'If you no longer need it, there is nothing to do: it ends by itself.',
    '',
    'Domum',
  ].join('\n');
  const html = page(subject, [
    `<p>Hello ${escapeHtml(oneLine(input.userName))},</p>`,
    `<p>${escapeHtml(intro)}<br>${escapeHtml(asked)}</p>`,
    `<p>${escapeHtml(more)}<br>If you no longer need it, there is nothing to do: it ends by itself.</p>`,
    '<p>Domum</p>',
  ]);
  return { subject, text, html };
}

export interface AccessEndMovedMailInput extends AccessEndingMailInput {
  /** The end the user was told of before. */
  previousEnd: Date;
}

/**
 * The end of an access moved (`/domum extend`) after its user was told of it: the new end, the old one, and, as
 * in the warning, whom to ask for more time. Sent at once, so nobody stops or plans on an end that no longer is.
 */
export function accessEndMovedMail(input: AccessEndMovedMailInput): MailContent {
  const vendor = oneLine(input.vendorName);
  const code = oneLine(input.accessCode);
  const until = formatInstantWithZone(input.endsAt, input.timeZone);
  const before = formatInstantWithZone(input.previousEnd, input.timeZone);
  const subject = `Domum: your access ${code} now ends ${until}`;
  const change = input.endsAt > input.previousEnd ? 'was extended' : 'was shortened';
  const intro = `Your access ${code} as a user of ${vendor} ${change}: it now ends ${until}, not ${before} as we told you before. After that you can no longer connect with it.`;
  const asked = `${askerOf(input)} asked for this access. Why: ${firstLineOf(input.justification)}`;
  const support = input.supportContact ? oneLine(input.supportContact) : '';
  const whom = input.requesterName ? askerOf(input) : 'the person who asked for it';
  const more = support
    ? `Need more time? Ask ${whom} to extend it before it ends, or contact ${support}.`
    : `Need more time? Ask ${whom} to extend it before it ends.`;
  const text = [`Hello ${oneLine(input.userName)},`, '', intro, asked, '', more, '', 'Domum'].join('\n');
  const html = page(subject, [
    `<p>Hello ${escapeHtml(oneLine(input.userName))},</p>`,
    `<p>${escapeHtml(intro)}<br>${escapeHtml(asked)}</p>`,
    `<p>${escapeHtml(more)}</p>`,
    '<p>Domum</p>',
  ]);
  return { subject, text, html };
}

function page(title: string, body: string[]): string {
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    `<body>${body.join('\n')}</body></html>`,
  ].join('\n');
}
