// The two emails of an access (README, "Importing users" → Provisioning): its personal link and its one-time
// token, sent by provisioning and again by a resend. `ensureHeld` is checked right before each email leaves:
// a job run that lost its job must not send as well.
import type { Mailer } from '../mail/mailer.ts';
import { accessLinkMail, accessTokenMail } from '../mail/templates.ts';

/** Who an access's emails go to, and what they name. */
export interface AccessRecipient {
  code: string;
  email: string;
  userName: string;
  vendorName: string;
  timeZone: string;
}

export async function sendLinkEmail(
  mailer: Mailer,
  access: AccessRecipient,
  link: string,
  idempotencyKey: string,
  ensureHeld: () => void,
): Promise<void> {
  const content = accessLinkMail({
    to: access.email,
    userName: access.userName,
    vendorName: access.vendorName,
    link,
    accessCode: access.code,
  });
  ensureHeld();
  await mailer.send({ to: access.email, ...content, idempotencyKey });
}

export async function sendTokenEmail(
  mailer: Mailer,
  access: AccessRecipient,
  token: { token: string; expiresAt: Date },
  idempotencyKey: string,
  ensureHeld: () => void,
): Promise<void> {
  const content = accessTokenMail({
    to: access.email,
    userName: access.userName,
    token: token.token,
    expiresAt: token.expiresAt,
    timeZone: access.timeZone,
  });
  ensureHeld();
  await mailer.send({ to: access.email, ...content, idempotencyKey });
}
