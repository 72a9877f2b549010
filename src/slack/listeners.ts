// The single list of everything the app listens to on Slack. `registerSlackListeners` wires it into Bolt,
// and test/unit/manifest.test.ts checks it against slack-manifest.yml and manifests/socket-mode.yml, so a
// handler cannot exist without its manifest entry, nor a manifest entry without its handler.
import type { App } from '@slack/bolt';
import {
  createCardMenu,
  createDecisionButton,
  createDecisionSubmission,
  createRetryFailed,
} from './actions/decision-buttons.ts';
import {
  APPROVE_ACTION,
  APPROVE_MODAL_CALLBACK,
  CARD_MENU_ACTION,
  REJECT_ACTION,
  REJECT_MODAL_CALLBACK,
  RETRY_FAILED_ACTION,
  CANCEL_MODAL_CALLBACK,
  ACCESS_RESEND_ACTION,
  CANCEL_IMPORT_ACTION,
  CONTINUE_IMPORT_ACTION,
  IMPORT_MODAL_CALLBACK,
  PREVIEW_MODAL_CALLBACK,
  SLASH_COMMAND,
  STATUS_MORE_ACTION,
  WIZARD_BACK_ACTION,
  WIZARD_CALLBACKS,
  WIZARD_CREDENTIALS_SELECT_ACTION,
  WIZARD_DEVICES_SELECT_ACTION,
  WIZARD_EDIT_ACTION,
  WIZARD_RESUME_ACTION,
} from './ids.ts';
import { createCancelSubmission } from './views/cancel-modal.ts';
import { createDomumCommandListener } from './commands/domum-command.ts';
import type { AppDeps } from '../app-deps.ts';
import { createCancelImportAction, createContinueImportAction } from './actions/preview-buttons.ts';
import { createAccessResendAction } from './actions/access-resend.ts';
import { createAppHomeOpenedListener } from './events/app-home-opened.ts';
import { createFileSharedListener } from './events/file-shared.ts';
import { createStatusMoreAction } from './commands/status-command.ts';
import {
  createCredentialOptions,
  createCredentialsChanged,
  createDeviceOptions,
  createWizardBack,
  createWizardEdit,
  createWizardResume,
  createWizardSubmission,
} from './wizard/wizard-step-view.ts';
import {
  createImportModalSubmission,
  createPreviewModalClosed,
  createPreviewModalSubmission,
} from './views/preview-modal.ts';
import { createRequestLogMiddleware } from './request-log.ts';

export interface SlackListenerCatalog {
  commands: string[];
  events: string[];
  actions: string[];
  views: string[];
  options: string[];
  /** Whether the App Home tab is published (needs app_home_opened and the Home tab enabled). */
  appHome: boolean;
}

export const slackListenerCatalog: SlackListenerCatalog = {
  commands: [SLASH_COMMAND],
  events: ['file_shared'],
  actions: [
    APPROVE_ACTION,
    REJECT_ACTION,
    CARD_MENU_ACTION,
    RETRY_FAILED_ACTION,
    STATUS_MORE_ACTION,
    CONTINUE_IMPORT_ACTION,
    CANCEL_IMPORT_ACTION,
    WIZARD_BACK_ACTION,
    WIZARD_EDIT_ACTION,
    WIZARD_RESUME_ACTION,
    WIZARD_CREDENTIALS_SELECT_ACTION,
    ACCESS_RESEND_ACTION,
  ],
  views: [
    IMPORT_MODAL_CALLBACK,
    PREVIEW_MODAL_CALLBACK,
    ...Object.values(WIZARD_CALLBACKS),
    APPROVE_MODAL_CALLBACK,
    REJECT_MODAL_CALLBACK,
    CANCEL_MODAL_CALLBACK,
  ],
  options: [WIZARD_DEVICES_SELECT_ACTION, WIZARD_CREDENTIALS_SELECT_ACTION],
  appHome: true,
};

export function registerSlackListeners(app: App, deps: AppDeps): void {
  app.use(createRequestLogMiddleware(deps.logger.child({ component: 'slack' })));
  app.command(SLASH_COMMAND, createDomumCommandListener(deps));
  app.event('file_shared', createFileSharedListener(deps));
  app.event('app_home_opened', createAppHomeOpenedListener(deps));
  app.action(STATUS_MORE_ACTION, createStatusMoreAction(deps));
  app.action(CONTINUE_IMPORT_ACTION, createContinueImportAction(deps));
  app.action(CANCEL_IMPORT_ACTION, createCancelImportAction(deps));
  app.view(IMPORT_MODAL_CALLBACK, createImportModalSubmission(deps));
  app.view({ callback_id: PREVIEW_MODAL_CALLBACK, type: 'view_submission' }, createPreviewModalSubmission(deps));
  app.view({ callback_id: PREVIEW_MODAL_CALLBACK, type: 'view_closed' }, createPreviewModalClosed(deps));
  for (const callbackId of Object.values(WIZARD_CALLBACKS)) app.view(callbackId, createWizardSubmission(deps));
  app.action(WIZARD_BACK_ACTION, createWizardBack(deps));
  app.action(WIZARD_EDIT_ACTION, createWizardEdit(deps));
  app.action(WIZARD_RESUME_ACTION, createWizardResume(deps));
  app.action(WIZARD_CREDENTIALS_SELECT_ACTION, createCredentialsChanged(deps));
  app.options(WIZARD_DEVICES_SELECT_ACTION, createDeviceOptions(deps));
  app.options(WIZARD_CREDENTIALS_SELECT_ACTION, createCredentialOptions(deps));
  app.action(APPROVE_ACTION, createDecisionButton(deps, 'approve'));
  app.action(REJECT_ACTION, createDecisionButton(deps, 'reject'));
  app.action(CARD_MENU_ACTION, createCardMenu(deps));
  app.action(RETRY_FAILED_ACTION, createRetryFailed(deps));
  app.action(ACCESS_RESEND_ACTION, createAccessResendAction(deps));
  app.view(APPROVE_MODAL_CALLBACK, createDecisionSubmission(deps, 'approve'));
  app.view(REJECT_MODAL_CALLBACK, createDecisionSubmission(deps, 'reject'));
  app.view(CANCEL_MODAL_CALLBACK, createCancelSubmission(deps));
}
