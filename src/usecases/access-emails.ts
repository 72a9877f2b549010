// The two emails of an access (README, "Importing users" → Provisioning): its personal link and its one-time
// token, sent by provisioning and again by a resend. `ensureHeld` is checked right before each email leaves:
// a job run that lost its job must not send as well.
import type { Mailer } from '../mail/mailer.ts';
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

export async function sendLinkEmail(
  mailer: Mailer,
  access: AccessRecipient,
  context: AccessMailContext,
  mail: { link: string; idempotencyKey: string },
  ensureHeld: () => void,
): Promise<void> {
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
  ensureHeld();
  await mailer.send({ to: access.email, ...content, idempotencyKey: mail.idempotencyKey });
}

export async function sendTokenEmail(
  mailer: Mailer,
  access: AccessRecipient,
  context: AccessMailContext,
  token: { token: string; sentAt: Date; expiresAt: Date; idempotencyKey: string },
  ensureHeld: () => void,
): Promise<void> {
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
  ensureHeld();
  await mailer.send({ to: access.email, ...content, idempotencyKey: token.idempotencyKey });
}
