// Every button and menu the app answers (block_actions), one file each but for a pair that shares its words.
import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import {
  ACCESS_RESEND_ACTION,
  APPROVE_ACTION,
  APPROVE_EXCEPT_ACTION,
  CANCEL_IMPORT_ACTION,
  CARD_MENU_ACTION,
  CONTINUE_IMPORT_ACTION,
  EXTEND_ACTION,
  EXTENSION_APPROVE_ACTION,
  EXTENSION_REJECT_ACTION,
  REJECT_ACTION,
  RETRY_FAILED_ACTION,
  STATUS_MORE_ACTION,
  WIZARD_BACK_ACTION,
  WIZARD_CREDENTIALS_SELECT_ACTION,
  WIZARD_EDIT_ACTION,
  WIZARD_RESUME_ACTION,
} from '../ids.ts';
import { onAction, registerEntries } from '../listener-entry.ts';
import type { ListenerEntry } from '../listener-entry.ts';
import { createAccessResendAction } from './access-resend.ts';
import { createCardMenu } from './card-menu.ts';
import { createDecisionButton } from './decision-buttons.ts';
import { createExtendButton } from './extend-button.ts';
import { createExtensionDecisionButton } from './extension-decision-buttons.ts';
import { createCancelImportAction, createContinueImportAction } from './preview-buttons.ts';
import { createRetryFailed } from './retry-failed.ts';
import { createStatusMoreAction } from './status-more.ts';
import { createWizardBack } from './wizard-back.ts';
import { createCredentialsChanged } from './wizard-credentials-changed.ts';
import { createWizardEdit } from './wizard-edit.ts';
import { createWizardResume } from './wizard-resume.ts';

export const actionListeners: readonly ListenerEntry[] = [
  onAction(APPROVE_ACTION, (deps) => createDecisionButton(deps, 'approve')),
  onAction(APPROVE_EXCEPT_ACTION, (deps) => createDecisionButton(deps, 'approve-except')),
  onAction(REJECT_ACTION, (deps) => createDecisionButton(deps, 'reject')),
  onAction(CARD_MENU_ACTION, createCardMenu),
  onAction(EXTEND_ACTION, createExtendButton),
  onAction(EXTENSION_APPROVE_ACTION, (deps) => createExtensionDecisionButton(deps, 'approve')),
  onAction(EXTENSION_REJECT_ACTION, (deps) => createExtensionDecisionButton(deps, 'reject')),
  onAction(RETRY_FAILED_ACTION, createRetryFailed),
  onAction(STATUS_MORE_ACTION, createStatusMoreAction),
  onAction(CONTINUE_IMPORT_ACTION, createContinueImportAction),
  onAction(CANCEL_IMPORT_ACTION, createCancelImportAction),
  onAction(WIZARD_BACK_ACTION, createWizardBack),
  onAction(WIZARD_EDIT_ACTION, createWizardEdit),
  onAction(WIZARD_RESUME_ACTION, createWizardResume),
  onAction(WIZARD_CREDENTIALS_SELECT_ACTION, createCredentialsChanged),
  onAction(ACCESS_RESEND_ACTION, createAccessResendAction),
];

export function registerActions(app: App, deps: AppDeps): void {
  registerEntries(app, deps, actionListeners);
}
