// The batch access request being written in the wizard: what each step collected so far. Kept in
// PostgreSQL between steps (a view's private_metadata only carries the draft id).
import { z } from 'zod';
import { accessLimitationSchema } from './access-limitation.ts';
import type { AccessLimitation } from './access-limitation.ts';

export const WIZARD_STEPS = ['general', 'devices', 'credentials', 'limitation', 'review'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export interface GeneralAnswers {
  justification: string;
  reasonId: number;
  governanceCode: string | null;
}

export interface CredentialGrant {
  credentialId: number;
  startSession: boolean;
  viewPassword: boolean;
}

export interface RequestDraftData {
  general?: GeneralAnswers;
  deviceIds?: number[];
  grants?: CredentialGrant[];
  limitation?: AccessLimitation;
  /** Set by an Edit button on Review: the edited step's Next goes back to Review. */
  returnToReview?: boolean;
}

export const requestDraftDataSchema: z.ZodType<RequestDraftData> = z.object({
  general: z
    .object({ justification: z.string(), reasonId: z.number().int().positive(), governanceCode: z.string().nullable() })
    .optional(),
  deviceIds: z.array(z.number().int().positive()).optional(),
  grants: z
    .array(
      z.object({ credentialId: z.number().int().positive(), startSession: z.boolean(), viewPassword: z.boolean() }),
    )
    .optional(),
  limitation: accessLimitationSchema.optional(),
  returnToReview: z.boolean().optional(),
});

export const JUSTIFICATION_MAX = 1000;

export function nextStep(step: WizardStep, data: RequestDraftData): WizardStep {
  if (data.returnToReview) return 'review';
  const index = WIZARD_STEPS.indexOf(step);
  return WIZARD_STEPS[Math.min(index + 1, WIZARD_STEPS.length - 1)] as WizardStep;
}

export function previousStep(step: WizardStep): WizardStep | undefined {
  const index = WIZARD_STEPS.indexOf(step);
  return index > 0 ? WIZARD_STEPS[index - 1] : undefined;
}
