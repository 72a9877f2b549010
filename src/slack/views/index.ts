// Every modal submission the app answers (and the one view_closed it asks for), one file per modal or pair of
// modals that share a listener.
import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import {
  APPROVE_EXCEPT_MODAL_CALLBACK,
  APPROVE_MODAL_CALLBACK,
  CANCEL_MODAL_CALLBACK,
  EXTEND_MODAL_CALLBACK,
  EXTENSION_APPROVE_MODAL_CALLBACK,
  EXTENSION_REJECT_MODAL_CALLBACK,
  IMPORT_MODAL_CALLBACK,
  PREVIEW_MODAL_CALLBACK,
  REJECT_MODAL_CALLBACK,
  WIZARD_CALLBACKS,
} from '../ids.ts';
import { onView, registerEntries } from '../listener-entry.ts';
import type { ListenerEntry } from '../listener-entry.ts';
import { createCancelSubmission } from './cancel-modal.ts';
import { createApproveExceptSubmission, createDecisionSubmission } from './decision-modals.ts';
import { createExtendSubmission } from './extend-modal.ts';
import { createExtensionDecisionSubmission } from './extension-decision-modals.ts';
import { createImportModalSubmission } from './import-modal.ts';
import { createPreviewModalClosed, createPreviewModalSubmission } from './preview-modal.ts';
import { createWizardSubmission } from './wizard-step.ts';

export const viewListeners: readonly ListenerEntry[] = [
  onView(IMPORT_MODAL_CALLBACK, createImportModalSubmission),
  onView(PREVIEW_MODAL_CALLBACK, createPreviewModalSubmission, 'view_submission'),
  onView(PREVIEW_MODAL_CALLBACK, createPreviewModalClosed, 'view_closed'),
  ...Object.values(WIZARD_CALLBACKS).map((callbackId) => onView(callbackId, createWizardSubmission)),
  onView(APPROVE_MODAL_CALLBACK, (deps) => createDecisionSubmission(deps, 'approve')),
  onView(REJECT_MODAL_CALLBACK, (deps) => createDecisionSubmission(deps, 'reject')),
  onView(APPROVE_EXCEPT_MODAL_CALLBACK, createApproveExceptSubmission),
  onView(CANCEL_MODAL_CALLBACK, createCancelSubmission),
  onView(EXTEND_MODAL_CALLBACK, createExtendSubmission),
  onView(EXTENSION_APPROVE_MODAL_CALLBACK, (deps) => createExtensionDecisionSubmission(deps, 'approve')),
  onView(EXTENSION_REJECT_MODAL_CALLBACK, (deps) => createExtensionDecisionSubmission(deps, 'reject')),
];

export function registerViews(app: App, deps: AppDeps): void {
  registerEntries(app, deps, viewListeners);
}
