// The two emails of an access (README, "Importing users" → Provisioning): its personal link and its one-time
// token, sent by provisioning (through the process's EmailSender) and again by a resend. A job run that lost its
// job must not send as well: it is asked right before each email leaves.
import type { Mailer, OutgoingMail } from '../mail/mailer.ts';
import { accessLinkMail, accessTokenMail } from '../mail/templates.ts';
import type { AccessMailContext } from '../mail/templates.ts';

/** Who asked for an access, as its emails name them; either part is unknown when it could not be learnt. */
export interface Requester {
  name: string | undefined;
  organisation: string | undefined;
}

/** The requester behind a Slack user id (on Slack: src/slack/requester-directory.ts). Never throws. */
export type DescribeRequester = (slackUserId: string) => Promise<Requester>;

/** Who an access's emails go to, and what they name. */
export interface AccessRecipient {
  code: string;
  email: string;
  userName: string;
  vendorName: string;
  timeZone: string;
  startsAt: Date;
  endsAt: Date;
  /** The request's requester (a Slack user id) and justification. */
  requesterUserId: string;
  justification: string;
}

/** What sending needs besides the mailer: who asked (looked up once per access) and SUPPORT_CONTACT. */
export interface AccessMailSources {
  describeRequester: DescribeRequester;
  supportContact: string | undefined;
}

/** What both emails of an access say about who asked, why, and whom to contact. */
export async function accessMailContext(
  sources: AccessMailSources,
  access: AccessRecipient,
): Promise<AccessMailContext> {
  const requester = await sources.describeRequester(access.requesterUserId);
  return {
    requesterName: requester.name,
    organisation: requester.organisation,
    justification: access.justification,
    supportContact: sources.supportContact,
  };
}

/** An access's link email. */
export function linkEmail(
  access: AccessRecipient,
  context: AccessMailContext,
  mail: { link: string; idempotencyKey: string },
): OutgoingMail {
  const content = accessLinkMail({
    ...context,
    to: access.email,
    userName: access.userName,
    vendorName: access.vendorName,
    link: mail.link,
    accessCode: access.code,
    startsAt: access.startsAt,
    endsAt: access.endsAt,
    timeZone: access.timeZone,
  });
  return { to: access.email, ...content, idempotencyKey: mail.idempotencyKey };
}

/** An access's token email. */
export function tokenEmail(
  access: AccessRecipient,
  context: AccessMailContext,
  token: { token: string; sentAt: Date; expiresAt: Date; idempotencyKey: string },
): OutgoingMail {
  const content = accessTokenMail({
    ...context,
    to: access.email,
    userName: access.userName,
    vendorName: access.vendorName,
    accessCode: access.code,
    token: token.token,
    sentAt: token.sentAt,
    expiresAt: token.expiresAt,
    timeZone: access.timeZone,
  });
  return { to: access.email, ...content, idempotencyKey: token.idempotencyKey };
}

/** Sends `mail` once `ensureHeld` agrees (it throws when the job run lost its job). */
export async function sendAccessEmail(mailer: Mailer, mail: OutgoingMail, ensureHeld: () => void): Promise<void> {
  ensureHeld();
  await mailer.send(mail);
}
