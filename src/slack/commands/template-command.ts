// `/domum template`: the template spreadsheet (README, "Importing users"), delivered to the user in a direct
// message.
import { openDirectMessage, uploadFile } from '../slack-files.ts';
import { writeTemplateWorkbook } from '../../spreadsheet/write-template.ts';
import type { Subcommand } from './subcommand.ts';

export const TEMPLATE_FILE_NAME = 'domum-users-template.xlsx';

export const templateSubcommand: Subcommand = {
  name: 'template',
  usage: 'template',
  description: 'get the spreadsheet template, with an example line and instructions',
  run: async ({ ack, command }, _rest, deps) => {
    await ack({ response_type: 'ephemeral', text: 'I am sending you the template as a direct message.' });
    const channel = await openDirectMessage(deps.slack, command.user_id);
    await uploadFile(deps.slack, {
      channelId: channel,
      fileName: TEMPLATE_FILE_NAME,
      bytes: writeTemplateWorkbook(),
      title: 'Domum users template',
    });
  },
};
