// What each modal carries in private_metadata, and the one way to write it and read it back. Slack hands the
// field back with every submission, click and options request from the user's client, so it is untrusted
// input: it is read through the view's schema, and anything else (not JSON, another shape, a view this app
// did not build) reads as undefined, which each listener answers as it would an item that no longer exists.
// The views carry ids only: what they name lives in PostgreSQL and is checked again when it is used, and Slack
// keeps at most 3,000 characters.
import { z } from 'zod';

/** The Approve, "Approve except…" and Reject modals: the request decided on. */
export const decisionMetadata = z.object({ requestId: z.number().int().positive() });

/** The `/domum cancel` modal: only the code typed; the submission checks everything again. */
export const cancelMetadata = z.object({ code: z.string().max(40) });

/** The `/domum extend` modal: only the request's code; the submission checks everything again. */
export const extendMetadata = z.object({ code: z.string().max(40) });

/** An extension's Approve and Reject modals: the extension decided on. */
export const extensionDecisionMetadata = z.object({ extensionId: z.number().int().positive() });

/** Every step of the request wizard: the draft lives in PostgreSQL, the view only names it. */
export const wizardMetadata = z.object({ draftId: z.string() });

/** The import preview modal: the import it previews. */
export const previewMetadata = z.object({ importId: z.number().int().positive() });

/** The file modal of /domum import: where it was run, and whether the modal asks for the card's channel. */
export const importModalMetadata = z.object({
  channelId: z
    .string()
    .regex(/^[CGD][A-Z0-9]+$/)
    .nullable(),
  askChannel: z.boolean().optional(),
});

/**
 * The private_metadata of a view whose listener reads it with `schema`. The schema types the value and is
 * not checked here: a view is built from the app's own data, and its listener checks what comes back anyway.
 */
export function writePrivateMetadata<Schema extends z.ZodType>(_schema: Schema, value: z.input<Schema>): string {
  return JSON.stringify(value);
}

/** The value a view's private_metadata carries, or undefined when it is not what `schema` describes. */
export function readPrivateMetadata<Schema extends z.ZodType>(
  schema: Schema,
  privateMetadata: string | undefined,
): z.output<Schema> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(privateMetadata ?? '');
  } catch {
    return undefined;
  }
  const result = schema.safeParse(parsed);
  return result.success ? result.data : undefined;
}
