// Block Kit and view limits that Slack enforces server-side (see /work/shared/reference/slack-platform.md §1,
// "Modal view object limits" and "Block and element text limits"). The fake Slack API rejects payloads that
// break them, so the app's tests fail where real Slack would answer `invalid_blocks` / `invalid_arguments`.
// Pure functions: each returns readable problems such as `blocks[3].text.text: 3042 characters (max 3000)`,
// an empty array meaning "Slack would accept this".

export type MessagePayload = { text?: unknown; blocks?: unknown };

export type Surface = 'message' | 'modal' | 'home';

export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  messageText: 40_000,
  /** Slack answers `msg_blocks_too_long` for a blocks payload of about 13k characters (bolt-js#2509). */
  messageBlocksJson: 13_000,
  markdownPerMessage: 12_000,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  id: 255,
  text: 3000,
  sectionFields: 10,
  sectionField: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  selectOptions: 100,
  optionGroups: 100,
  choiceOptions: 10,
  overflowOptions: 5,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  altText: 2000,
  imageTitle: 2000,
  textInputLength: 3000,
  maxFiles: 10,
} as const;

/** Prefix of the problem that makes the fake answer `msg_blocks_too_long` instead of `invalid_blocks`. */
export const MSG_BLOCKS_TOO_LONG = 'msg_blocks_too_long';

export const BLOCK_TYPES: ReadonlySet<string> = new Set([
  'section',
  'divider',
  'header',
  'context',
  'actions',
  'input',
  'image',
  'rich_text',
  'file',
  'markdown',
]);

const SELECT_TYPES = [
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
];

export const INPUT_ELEMENT_TYPES: ReadonlySet<string> = new Set([
  'plain_text_input',
  ...SELECT_TYPES,
  'checkboxes',
  'radio_buttons',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'number_input',
  'file_input',
  'email_text_input',
  'url_text_input',
  'rich_text_input',
]);

const ACTIONS_ELEMENT_TYPES: ReadonlySet<string> = new Set([
  'button',
  ...SELECT_TYPES,
  'checkboxes',
  'radio_buttons',
  'overflow',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'workflow_button',
]);

const ACCESSORY_TYPES: ReadonlySet<string> = new Set([...ACTIONS_ELEMENT_TYPES, 'image']);

const ALL_ELEMENT_TYPES: ReadonlySet<string> = new Set([...INPUT_ELEMENT_TYPES, ...ACCESSORY_TYPES]);

type Problems = string[];

type TextRule = {
  required?: boolean;
  plainOnly?: boolean;
  max?: number;
};

/** Problems of a `chat.postMessage` / `chat.update` / `chat.postEphemeral` / response_url payload. */
export function checkMessage(message: MessagePayload): string[] {
  const problems: Problems = [];
  const { text, blocks } = message;
  if (text !== undefined && text !== null) {
    if (typeof text !== 'string') problems.push(`text: must be a string`);
    else checkLength(problems, 'text', text, LIMITS.messageText);
  }
  if (blocks === undefined || blocks === null) return problems;
  if (!Array.isArray(blocks)) {
    problems.push('blocks: must be an array of blocks');
    return problems;
  }
  checkBlockList(problems, 'blocks', blocks, 'message', LIMITS.messageBlocks);
  let markdown = 0;
  for (const block of blocks) {
    if (isRecord(block) && block['type'] === 'markdown' && typeof block['text'] === 'string')
      markdown += length(block['text']);
  }
  if (markdown > LIMITS.markdownPerMessage) {
    problems.push(`blocks: markdown blocks hold ${markdown} characters in total (max ${LIMITS.markdownPerMessage})`);
  }
  const json = JSON.stringify(blocks).length;
  if (json > LIMITS.messageBlocksJson) {
    problems.push(`${MSG_BLOCKS_TOO_LONG}: blocks JSON is ${json} characters (max ~${LIMITS.messageBlocksJson})`);
  }
  return problems;
}

/** Problems of a modal or Home tab view (views.open/push/update/publish, or a `response_action` view). */
export function checkView(view: unknown): string[] {
  const problems: Problems = [];
  if (!isRecord(view)) return ['view: must be an object'];
  const type = view['type'];
  if (type !== 'modal' && type !== 'home') {
    problems.push(`type: ${describe(type)} (must be 'modal' or 'home')`);
  }
  const surface: Surface = type === 'home' ? 'home' : 'modal';
  const blocks = view['blocks'];
  if (surface === 'modal') {
    checkText(problems, 'title', view['title'], { required: true, plainOnly: true, max: LIMITS.viewTitle });
    checkText(problems, 'submit', view['submit'], { plainOnly: true, max: LIMITS.viewButton });
    checkText(problems, 'close', view['close'], { plainOnly: true, max: LIMITS.viewButton });
    const hasInput = Array.isArray(blocks) && blocks.some((block) => isRecord(block) && block['type'] === 'input');
    if (hasInput && (view['submit'] === undefined || view['submit'] === null)) {
      problems.push('submit: missing (required because the view has an input block)');
    }
  }
  checkOptionalString(problems, 'private_metadata', view['private_metadata'], LIMITS.privateMetadata);
  checkOptionalString(problems, 'callback_id', view['callback_id'], LIMITS.callbackId);
  checkOptionalString(problems, 'external_id', view['external_id'], LIMITS.externalId);
  if (!Array.isArray(blocks)) {
    problems.push('blocks: missing (required array)');
    return problems;
  }
  checkBlockList(problems, 'blocks', blocks, surface, LIMITS.viewBlocks);
  return problems;
}

/** Problems of a list of blocks on the given surface (block count, each block, unique block_ids). */
export function checkBlocks(blocks: unknown[], surface: Surface, path = 'blocks'): string[] {
  const problems: Problems = [];
  checkBlockList(problems, path, blocks, surface, surface === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks);
  return problems;
}

function checkBlockList(problems: Problems, path: string, blocks: unknown[], surface: Surface, max: number): void {
  if (blocks.length > max) problems.push(`${path}: ${blocks.length} blocks (max ${max})`);
  const blockIds = new Map<string, string>();
  blocks.forEach((block, index) => {
    const blockPath = `${path}[${index}]`;
    checkBlock(problems, blockPath, block, surface);
    if (isRecord(block) && typeof block['block_id'] === 'string') {
      const earlier = blockIds.get(block['block_id']);
      if (earlier !== undefined) {
        problems.push(`${blockPath}.block_id: duplicate ${describe(block['block_id'])} (also ${earlier})`);
      } else {
        blockIds.set(block['block_id'], blockPath);
      }
    }
  });
}

function checkBlock(problems: Problems, path: string, block: unknown, surface: Surface): void {
  if (!isRecord(block)) {
    problems.push(`${path}: must be a block object`);
    return;
  }
  const type = block['type'];
  if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
    problems.push(`${path}.type: unknown block type ${describe(type)}`);
    return;
  }
  checkId(problems, `${path}.block_id`, block['block_id']);
  switch (type) {
    case 'section': {
      const hasText = block['text'] !== undefined && block['text'] !== null;
      const fields = block['fields'];
      if (hasText) checkText(problems, `${path}.text`, block['text'], { required: true });
      if (fields !== undefined && fields !== null) {
        if (!Array.isArray(fields)) {
          problems.push(`${path}.fields: must be an array of text objects`);
        } else {
          if (fields.length > LIMITS.sectionFields) {
            problems.push(`${path}.fields: ${fields.length} fields (max ${LIMITS.sectionFields})`);
          }
          fields.forEach((field, index) =>
            checkText(problems, `${path}.fields[${index}]`, field, { required: true, max: LIMITS.sectionField }),
          );
        }
      }
      if (!hasText && (!Array.isArray(fields) || fields.length === 0)) {
        problems.push(`${path}: a section needs text or fields`);
      }
      if (block['accessory'] !== undefined) {
        checkElement(problems, `${path}.accessory`, block['accessory'], ACCESSORY_TYPES, 'a section accessory');
      }
      return;
    }
    case 'header':
      checkText(problems, `${path}.text`, block['text'], { required: true, plainOnly: true, max: LIMITS.headerText });
      return;
    case 'context': {
      const elements = checkElementList(problems, `${path}.elements`, block['elements'], LIMITS.contextElements);
      elements.forEach((element, index) => {
        const elementPath = `${path}.elements[${index}]`;
        if (isRecord(element) && element['type'] === 'image') checkImage(problems, elementPath, element);
        else checkText(problems, elementPath, element, { required: true });
      });
      return;
    }
    case 'actions': {
      const elements = checkElementList(problems, `${path}.elements`, block['elements'], LIMITS.actionsElements);
      const actionIds = new Map<string, string>();
      elements.forEach((element, index) => {
        const elementPath = `${path}.elements[${index}]`;
        checkElement(problems, elementPath, element, ACTIONS_ELEMENT_TYPES, 'an actions block');
        if (isRecord(element) && typeof element['action_id'] === 'string') {
          const earlier = actionIds.get(element['action_id']);
          if (earlier !== undefined) {
            problems.push(`${elementPath}.action_id: duplicate ${describe(element['action_id'])} (also ${earlier})`);
          } else {
            actionIds.set(element['action_id'], elementPath);
          }
        }
      });
      return;
    }
    case 'input':
      checkText(problems, `${path}.label`, block['label'], { required: true, plainOnly: true, max: LIMITS.inputLabel });
      checkText(problems, `${path}.hint`, block['hint'], { plainOnly: true, max: LIMITS.inputHint });
      if (block['element'] === undefined || block['element'] === null) {
        problems.push(`${path}.element: missing (required)`);
      } else {
        checkElement(problems, `${path}.element`, block['element'], INPUT_ELEMENT_TYPES, 'an input block');
      }
      return;
    case 'image':
      checkImage(problems, path, block);
      checkText(problems, `${path}.title`, block['title'], { plainOnly: true, max: LIMITS.imageTitle });
      return;
    case 'rich_text':
      if (!Array.isArray(block['elements'])) problems.push(`${path}.elements: missing (required array)`);
      return;
    case 'file':
      if (typeof block['external_id'] !== 'string') problems.push(`${path}.external_id: missing (required)`);
      if (block['source'] !== 'remote')
        problems.push(`${path}.source: ${describe(block['source'])} (must be 'remote')`);
      return;
    case 'markdown':
      if (surface !== 'message') problems.push(`${path}.type: markdown blocks are only allowed in messages`);
      if (typeof block['text'] !== 'string') problems.push(`${path}.text: missing (required string)`);
      else if (length(block['text']) === 0) problems.push(`${path}.text: empty (min 1 character)`);
      else checkLength(problems, `${path}.text`, block['text'], LIMITS.markdownPerMessage);
      return;
    default:
      return;
  }
}

function checkElementList(problems: Problems, path: string, value: unknown, max: number): unknown[] {
  if (!Array.isArray(value)) {
    problems.push(`${path}: missing (required array)`);
    return [];
  }
  if (value.length === 0) problems.push(`${path}: empty (min 1 element)`);
  if (value.length > max) problems.push(`${path}: ${value.length} elements (max ${max})`);
  return value;
}

function checkElement(
  problems: Problems,
  path: string,
  element: unknown,
  allowed: ReadonlySet<string>,
  where: string,
): void {
  if (!isRecord(element)) {
    problems.push(`${path}: must be an element object`);
    return;
  }
  const type = element['type'];
  if (typeof type !== 'string' || !ALL_ELEMENT_TYPES.has(type)) {
    problems.push(`${path}.type: unknown element type ${describe(type)}`);
    return;
  }
  if (!allowed.has(type)) {
    problems.push(`${path}.type: ${describe(type)} is not allowed in ${where}`);
    return;
  }
  checkId(problems, `${path}.action_id`, element['action_id']);
  if (element['confirm'] !== undefined) checkConfirm(problems, `${path}.confirm`, element['confirm']);
  if (element['placeholder'] !== undefined) {
    checkText(problems, `${path}.placeholder`, element['placeholder'], { plainOnly: true, max: LIMITS.placeholder });
  }
  switch (type) {
    case 'button':
    case 'workflow_button':
      checkText(problems, `${path}.text`, element['text'], { required: true, plainOnly: true, max: LIMITS.buttonText });
      checkOptionalString(problems, `${path}.value`, element['value'], LIMITS.buttonValue);
      checkOptionalString(problems, `${path}.url`, element['url'], LIMITS.url);
      checkOptionalString(problems, `${path}.accessibility_label`, element['accessibility_label'], LIMITS.buttonText);
      if (element['style'] !== undefined && element['style'] !== 'primary' && element['style'] !== 'danger') {
        problems.push(`${path}.style: ${describe(element['style'])} (must be 'primary' or 'danger')`);
      }
      return;
    case 'static_select':
    case 'multi_static_select': {
      const options = element['options'];
      const groups = element['option_groups'];
      if (options === undefined && groups === undefined) {
        problems.push(`${path}: needs options or option_groups`);
      } else if (options !== undefined && groups !== undefined) {
        problems.push(`${path}: give options or option_groups, not both`);
      }
      if (options !== undefined) checkOptions(problems, `${path}.options`, options, LIMITS.selectOptions, true);
      if (groups !== undefined) {
        if (!Array.isArray(groups)) {
          problems.push(`${path}.option_groups: must be an array`);
        } else {
          if (groups.length > LIMITS.optionGroups) {
            problems.push(`${path}.option_groups: ${groups.length} groups (max ${LIMITS.optionGroups})`);
          }
          groups.forEach((group, index) => {
            const groupPath = `${path}.option_groups[${index}]`;
            if (!isRecord(group)) {
              problems.push(`${groupPath}: must be an option group object`);
              return;
            }
            checkText(problems, `${groupPath}.label`, group['label'], {
              required: true,
              plainOnly: true,
              max: LIMITS.optionText,
            });
            checkOptions(problems, `${groupPath}.options`, group['options'], LIMITS.selectOptions, true);
          });
        }
      }
      checkInitialOptions(problems, path, element, true);
      checkMaxSelected(problems, path, element);
      return;
    }
    case 'external_select':
    case 'multi_external_select':
      checkInitialOptions(problems, path, element, true);
      checkMaxSelected(problems, path, element);
      if (element['min_query_length'] !== undefined && !isIntegerAtLeast(element['min_query_length'], 0)) {
        problems.push(`${path}.min_query_length: ${describe(element['min_query_length'])} (must be an integer ≥ 0)`);
      }
      return;
    case 'multi_users_select':
    case 'multi_conversations_select':
    case 'multi_channels_select':
      checkMaxSelected(problems, path, element);
      return;
    case 'checkboxes':
    case 'radio_buttons':
      checkOptions(problems, `${path}.options`, element['options'], LIMITS.choiceOptions, false);
      checkInitialOptions(problems, path, element, false);
      return;
    case 'overflow':
      checkOptions(problems, `${path}.options`, element['options'], LIMITS.overflowOptions, true);
      return;
    case 'plain_text_input':
      for (const key of ['min_length', 'max_length'] as const) {
        const value = element[key];
        if (value === undefined) continue;
        const min = key === 'min_length' ? 0 : 1;
        if (!isIntegerAtLeast(value, min) || value > LIMITS.textInputLength) {
          problems.push(`${path}.${key}: ${describe(value)} (must be an integer ${min}–${LIMITS.textInputLength})`);
        }
      }
      return;
    case 'number_input':
      if (typeof element['is_decimal_allowed'] !== 'boolean') {
        problems.push(`${path}.is_decimal_allowed: missing (required boolean)`);
      }
      return;
    case 'file_input': {
      const maxFiles = element['max_files'];
      if (maxFiles !== undefined && (!isIntegerAtLeast(maxFiles, 1) || maxFiles > LIMITS.maxFiles)) {
        problems.push(`${path}.max_files: ${describe(maxFiles)} (must be an integer 1–${LIMITS.maxFiles})`);
      }
      return;
    }
    case 'image':
      checkImage(problems, path, element);
      return;
    default:
      return;
  }
}

function checkOptions(problems: Problems, path: string, value: unknown, max: number, plainOnly: boolean): void {
  if (!Array.isArray(value)) {
    problems.push(`${path}: missing (required array)`);
    return;
  }
  if (value.length > max) problems.push(`${path}: ${value.length} options (max ${max})`);
  value.forEach((option, index) => checkOption(problems, `${path}[${index}]`, option, plainOnly));
}

function checkOption(problems: Problems, path: string, option: unknown, plainOnly: boolean): void {
  if (!isRecord(option)) {
    problems.push(`${path}: must be an option object`);
    return;
  }
  checkText(problems, `${path}.text`, option['text'], { required: true, plainOnly, max: LIMITS.optionText });
  checkText(problems, `${path}.description`, option['description'], { plainOnly, max: LIMITS.optionDescription });
  const value = option['value'];
  if (typeof value !== 'string') problems.push(`${path}.value: missing (required string)`);
  else checkLength(problems, `${path}.value`, value, LIMITS.optionValue);
  checkOptionalString(problems, `${path}.url`, option['url'], LIMITS.url);
}

function checkInitialOptions(
  problems: Problems,
  path: string,
  element: Record<string, unknown>,
  plainOnly: boolean,
): void {
  if (element['initial_option'] !== undefined) {
    checkOption(problems, `${path}.initial_option`, element['initial_option'], plainOnly);
  }
  const initial = element['initial_options'];
  if (initial === undefined) return;
  if (!Array.isArray(initial)) {
    problems.push(`${path}.initial_options: must be an array`);
    return;
  }
  initial.forEach((option, index) => checkOption(problems, `${path}.initial_options[${index}]`, option, plainOnly));
}

function checkMaxSelected(problems: Problems, path: string, element: Record<string, unknown>): void {
  const value = element['max_selected_items'];
  if (value !== undefined && !isIntegerAtLeast(value, 1)) {
    problems.push(`${path}.max_selected_items: ${describe(value)} (must be an integer ≥ 1)`);
  }
}

function checkConfirm(problems: Problems, path: string, confirm: unknown): void {
  if (!isRecord(confirm)) {
    problems.push(`${path}: must be a confirmation dialog object`);
    return;
  }
  checkText(problems, `${path}.title`, confirm['title'], { plainOnly: true, max: LIMITS.confirmTitle });
  checkText(problems, `${path}.text`, confirm['text'], { required: true, max: LIMITS.confirmText });
  checkText(problems, `${path}.confirm`, confirm['confirm'], { plainOnly: true, max: LIMITS.confirmButton });
  checkText(problems, `${path}.deny`, confirm['deny'], { plainOnly: true, max: LIMITS.confirmButton });
  if (confirm['style'] !== undefined && confirm['style'] !== 'primary' && confirm['style'] !== 'danger') {
    problems.push(`${path}.style: ${describe(confirm['style'])} (must be 'primary' or 'danger')`);
  }
}

function checkImage(problems: Problems, path: string, image: Record<string, unknown>): void {
  const hasUrl = typeof image['image_url'] === 'string' && image['image_url'] !== '';
  if (!hasUrl && !isRecord(image['slack_file'])) problems.push(`${path}: needs image_url or slack_file`);
  if (hasUrl) checkLength(problems, `${path}.image_url`, image['image_url'] as string, LIMITS.url);
  const alt = image['alt_text'];
  if (typeof alt !== 'string') problems.push(`${path}.alt_text: missing (required string)`);
  else if (length(alt) === 0) problems.push(`${path}.alt_text: empty (min 1 character)`);
  else checkLength(problems, `${path}.alt_text`, alt, LIMITS.altText);
}

function checkText(problems: Problems, path: string, value: unknown, rule: TextRule): void {
  if (value === undefined || value === null) {
    if (rule.required) problems.push(`${path}: missing (required${rule.plainOnly ? ' plain_text' : ''} text object)`);
    return;
  }
  if (!isRecord(value)) {
    problems.push(`${path}: must be a text object like { type: 'plain_text', text: '…' }, got ${describe(value)}`);
    return;
  }
  const type = value['type'];
  if (type !== 'plain_text' && type !== 'mrkdwn') {
    problems.push(`${path}.type: ${describe(type)} (must be 'plain_text' or 'mrkdwn')`);
  } else if (rule.plainOnly && type !== 'plain_text') {
    problems.push(`${path}.type: ${describe(type)} (must be 'plain_text')`);
  }
  const text = value['text'];
  if (typeof text !== 'string') {
    problems.push(`${path}.text: missing (required string)`);
    return;
  }
  if (length(text) === 0) {
    problems.push(`${path}.text: empty (min 1 character)`);
    return;
  }
  checkLength(problems, `${path}.text`, text, Math.min(rule.max ?? LIMITS.text, LIMITS.text));
}

function checkId(problems: Problems, path: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    problems.push(`${path}: must be a string, got ${describe(value)}`);
    return;
  }
  if (value.length === 0) problems.push(`${path}: empty (omit it or give 1–${LIMITS.id} characters)`);
  checkLength(problems, path, value, LIMITS.id);
}

function checkOptionalString(problems: Problems, path: string, value: unknown, max: number): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') {
    problems.push(`${path}: must be a string, got ${describe(value)}`);
    return;
  }
  checkLength(problems, path, value, max);
}

function checkLength(problems: Problems, path: string, value: string, max: number): void {
  const count = length(value);
  if (count > max) problems.push(`${path}: ${count} characters (max ${max})`);
}

/** Characters as Slack counts them: code points, not UTF-16 units. */
function length(text: string): number {
  let count = 0;
  for (const _char of text) count += 1;
  return count;
}

function isIntegerAtLeast(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  const json = JSON.stringify(value) ?? typeof value;
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}
