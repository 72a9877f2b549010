// The two emails a new active user receives. They are separate on purpose: whoever reads one of them
// (a forwarded mail, a shared mailbox) has the link or the token, never both. Pure: no I/O.
import { formatInstant } from '../domain/access-limitation.ts';
import { escapeHtml } from '../domain/output-safety.ts';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface AccessLinkMailInput {
  to: string;
  userName: string;
  vendorName: string;
  link: string;
  accessCode: string;
}

export interface AccessTokenMailInput {
  to: string;
  userName: string;
  token: string;
  expiresAt: Date;
  timeZone: string;
}

export function accessLinkMail(input: AccessLinkMailInput): MailContent {
  // The link goes into an href: anything but http(s) (javascript:, data:) would be a bug upstream, so refuse it.
  if (!/^https?:\/\//i.test(input.link)) throw new Error('The access link must be an http(s) URL');
  const subject = `Domum: your access link for ${input.vendorName}`;
  const text = [
    `Hello ${input.userName},`,
    '',
    `An access was prepared for you as a user of ${input.vendorName} (reference ${input.accessCode}).`,
    'Open your personal page here:',
    '',
    input.link,
    '',
    'The page asks for a one-time token, which we send in a separate email.',
    '',
    'Domum',
  ].join('\n');
  const html = page(subject, [
    `<p>Hello ${escapeHtml(input.userName)},</p>`,
    `<p>An access was prepared for you as a user of ${escapeHtml(input.vendorName)} (reference <strong>${escapeHtml(input.accessCode)}</strong>).</p>`,
    `<p><a href="${escapeHtml(input.link)}">Open your personal page</a></p>`,
    `<p>If the button does not work, copy this address into your browser:<br>${escapeHtml(input.link)}</p>`,
    '<p>The page asks for a one-time token, which we send in a separate email.</p>',
    '<p>Domum</p>',
  ]);
  return { subject, text, html };
}

export function accessTokenMail(input: AccessTokenMailInput): MailContent {
  const expiry = `${formatInstant(input.expiresAt, input.timeZone)} (${input.timeZone})`;
  const subject = 'Domum: your one-time token';
  const text = [
    `Hello ${input.userName},`,
    '',
    'Your one-time token is:',
    '',
    `    ${input.token}`,
    '',
    `It works once and expires on ${expiry}.`,
    'Enter it on the page opened from the link in the other email we sent you.',
    '',
    'Domum',
  ].join('\n');
  const html = page(subject, [
    `<p>Hello ${escapeHtml(input.userName)},</p>`,
    '<p>Your one-time token is:</p>',
    `<p style="font-family:monospace;font-size:1.4em;letter-spacing:0.1em"><strong>${escapeHtml(input.token)}</strong></p>`,
    `<p>It works once and expires on ${escapeHtml(expiry)}.</p>`,
    '<p>Enter it on the page opened from the link in the other email we sent you.</p>',
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
