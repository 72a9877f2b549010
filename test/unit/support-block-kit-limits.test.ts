import { describe, expect, it } from 'vitest';
import { checkMessage, checkView } from '../support/block-kit-limits.ts';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const option = (text: string, value = text) => ({ text: plain(text), value });
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });

function validModal(): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: 'import-review',
    private_metadata: JSON.stringify({ importId: 42 }),
    title: plain('Review import'),
    submit: plain('Approve'),
    close: plain('Cancel'),
    blocks: [
      { type: 'header', text: plain('Spreadsheet import') },
      {
        type: 'section',
        block_id: 'summary',
        text: mrkdwn('*12* lines, *2* errors'),
        fields: [mrkdwn('*Requester*\n<@U0ALICE01>'), mrkdwn('*Expires*\n2025-01-31')],
        accessory: {
          type: 'button',
          action_id: 'download',
          text: plain('Download report'),
          value: 'report-42',
          confirm: {
            title: plain('Sure?'),
            text: mrkdwn('Download the report'),
            confirm: plain('Yes'),
            deny: plain('No'),
          },
        },
      },
      { type: 'divider' },
      {
        type: 'context',
        elements: [
          mrkdwn('Uploaded by <@U0ALICE01>'),
          { type: 'image', image_url: 'https://example.com/a.png', alt_text: 'avatar' },
        ],
      },
      {
        type: 'input',
        block_id: 'duration',
        label: plain('Access duration'),
        hint: plain('How long the first access lasts'),
        element: {
          type: 'radio_buttons',
          action_id: 'pick',
          options: [option('1 day', '1'), option('7 days', '7')],
          initial_option: option('1 day', '1'),
        },
      },
      {
        type: 'input',
        block_id: 'site',
        label: plain('Site'),
        element: {
          type: 'static_select',
          action_id: 'pick',
          placeholder: plain('Choose a site'),
          options: Array.from({ length: 100 }, (_, index) => option(`Site ${index}`)),
        },
      },
      {
        type: 'input',
        block_id: 'notes',
        optional: true,
        label: plain('Notes'),
        element: { type: 'plain_text_input', action_id: 'notes', multiline: true, max_length: 3000 },
      },
      {
        type: 'input',
        block_id: 'count',
        label: plain('Count'),
        element: { type: 'number_input', action_id: 'count', is_decimal_allowed: false },
      },
      {
        type: 'input',
        block_id: 'file',
        label: plain('Spreadsheet'),
        element: { type: 'file_input', action_id: 'file', max_files: 1, filetypes: ['xlsx', 'csv'] },
      },
      {
        type: 'actions',
        block_id: 'buttons',
        elements: [
          { type: 'button', action_id: 'approve', text: plain('Approve'), style: 'primary', value: '42' },
          { type: 'button', action_id: 'reject', text: plain('Reject'), style: 'danger', value: '42' },
          {
            type: 'checkboxes',
            action_id: 'flags',
            options: [{ text: mrkdwn('*Notify*'), value: 'notify', description: mrkdwn('by email') }],
          },
        ],
      },
    ],
  };
}

function withBlocks(blocks: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'modal', title: plain('Title'), submit: plain('Save'), blocks, ...extra };
}

describe('checkView', () => {
  it('accepts a valid modal and a full Home tab', () => {
    expect(checkView(validModal())).toEqual([]);
    expect(checkView({ type: 'home', blocks: Array.from({ length: 100 }, () => ({ type: 'divider' })) })).toEqual([]);
  });

  it('rejects a title over 24 characters, a missing title and mrkdwn titles', () => {
    expect(checkView({ ...validModal(), title: plain('x'.repeat(25)) })).toEqual([
      'title.text: 25 characters (max 24)',
    ]);
    expect(checkView({ ...validModal(), title: undefined })).toEqual([
      'title: missing (required plain_text text object)',
    ]);
    expect(checkView({ ...validModal(), title: mrkdwn('Title') })).toEqual([
      "title.type: 'mrkdwn' (must be 'plain_text')",
    ]);
    expect(checkView({ ...validModal(), submit: plain('s'.repeat(25)), close: plain('') })).toEqual([
      'submit.text: 25 characters (max 24)',
      'close.text: empty (min 1 character)',
    ]);
  });

  it('rejects more than 100 blocks', () => {
    const blocks = Array.from({ length: 101 }, () => ({ type: 'divider' }));
    expect(checkView(withBlocks(blocks))).toEqual(['blocks: 101 blocks (max 100)']);
  });

  it('rejects an empty section text and one over 3000 characters', () => {
    expect(checkView(withBlocks([section('')]))).toEqual(['blocks[0].text.text: empty (min 1 character)']);
    const blocks = [{ type: 'divider' }, section('a'), section('b'), section('x'.repeat(3042))];
    expect(checkView(withBlocks(blocks))).toEqual(['blocks[3].text.text: 3042 characters (max 3000)']);
    expect(checkView(withBlocks([{ type: 'section' }]))).toEqual(['blocks[0]: a section needs text or fields']);
  });

  it('rejects 11 radio buttons or checkboxes', () => {
    const options = Array.from({ length: 11 }, (_, index) => option(`Choice ${index}`));
    const radio = { type: 'input', label: plain('Pick'), element: { type: 'radio_buttons', action_id: 'a', options } };
    expect(checkView(withBlocks([radio]))).toEqual(['blocks[0].element.options: 11 options (max 10)']);
    const boxes = { type: 'actions', elements: [{ type: 'checkboxes', action_id: 'a', options }] };
    expect(checkView(withBlocks([boxes]))).toEqual(['blocks[0].elements[0].options: 11 options (max 10)']);
  });

  it('requires submit when the modal has an input block', () => {
    const view = { ...validModal(), submit: undefined };
    expect(checkView(view)).toEqual(['submit: missing (required because the view has an input block)']);
    expect(checkView({ type: 'modal', title: plain('Info'), blocks: [section('no inputs')] })).toEqual([]);
  });

  it('checks private_metadata, callback_id, block_id and action_id lengths and unique block_ids', () => {
    const view = withBlocks(
      [
        { type: 'divider', block_id: 'same' },
        { type: 'divider', block_id: 'same' },
        {
          type: 'actions',
          block_id: 'b'.repeat(256),
          elements: [{ type: 'button', action_id: 'a'.repeat(256), text: plain('Go') }],
        },
      ],
      { private_metadata: 'm'.repeat(3001), callback_id: 'c'.repeat(256) },
    );
    expect(checkView(view)).toEqual([
      'private_metadata: 3001 characters (max 3000)',
      'callback_id: 256 characters (max 255)',
      "blocks[1].block_id: duplicate 'same' (also blocks[0])",
      'blocks[2].block_id: 256 characters (max 255)',
      'blocks[2].elements[0].action_id: 256 characters (max 255)',
    ]);
  });

  it('rejects unknown block and element types', () => {
    const view = withBlocks([
      { type: 'sectoin', text: mrkdwn('typo') },
      { type: 'input', label: plain('Colour'), element: { type: 'color_picker', action_id: 'c' } },
      { type: 'input', label: plain('Go'), element: { type: 'button', action_id: 'b', text: plain('Go') } },
      { type: 'markdown', text: 'messages only' },
    ]);
    expect(checkView(view)).toEqual([
      "blocks[0].type: unknown block type 'sectoin'",
      "blocks[1].element.type: unknown element type 'color_picker'",
      "blocks[2].element.type: 'button' is not allowed in an input block",
      'blocks[3].type: markdown blocks are only allowed in messages',
    ]);
  });

  it('checks element and composition-object limits', () => {
    const view = withBlocks([
      { type: 'header', text: plain('h'.repeat(151)) },
      { type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) },
      {
        type: 'actions',
        elements: Array.from({ length: 26 }, (_, index) => ({
          type: 'button',
          action_id: `b${index}`,
          text: plain('B'),
        })),
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: 'x',
            text: plain('t'.repeat(76)),
            value: 'v'.repeat(2001),
            confirm: {
              title: plain('t'.repeat(101)),
              text: plain('x'.repeat(301)),
              confirm: plain('c'.repeat(31)),
              deny: plain('d'.repeat(31)),
            },
          },
          {
            type: 'static_select',
            action_id: 'y',
            placeholder: plain('p'.repeat(151)),
            options: [option('o'.repeat(76), 'v'.repeat(151))],
          },
          {
            type: 'static_select',
            action_id: 'z',
            options: Array.from({ length: 101 }, (_, index) => option(`O${index}`)),
          },
        ],
      },
      {
        type: 'input',
        label: plain('l'.repeat(2001)),
        hint: plain('h'.repeat(2001)),
        element: { type: 'file_input', action_id: 'f', max_files: 11 },
      },
      { type: 'input', label: plain('Files'), element: { type: 'file_input', action_id: 'f', max_files: 0 } },
      { type: 'input', label: plain('Number'), element: { type: 'number_input', action_id: 'n' } },
      { type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) },
      { type: 'section', fields: [mrkdwn('f'.repeat(2001))] },
    ]);
    expect(checkView(view)).toEqual([
      'blocks[0].text.text: 151 characters (max 150)',
      'blocks[1].elements: 11 elements (max 10)',
      'blocks[2].elements: 26 elements (max 25)',
      'blocks[3].elements[0].confirm.title.text: 101 characters (max 100)',
      'blocks[3].elements[0].confirm.text.text: 301 characters (max 300)',
      'blocks[3].elements[0].confirm.confirm.text: 31 characters (max 30)',
      'blocks[3].elements[0].confirm.deny.text: 31 characters (max 30)',
      'blocks[3].elements[0].text.text: 76 characters (max 75)',
      'blocks[3].elements[0].value: 2001 characters (max 2000)',
      'blocks[3].elements[1].placeholder.text: 151 characters (max 150)',
      'blocks[3].elements[1].options[0].text.text: 76 characters (max 75)',
      'blocks[3].elements[1].options[0].value: 151 characters (max 150)',
      'blocks[3].elements[2].options: 101 options (max 100)',
      'blocks[4].label.text: 2001 characters (max 2000)',
      'blocks[4].hint.text: 2001 characters (max 2000)',
      'blocks[4].element.max_files: 11 (must be an integer 1–10)',
      'blocks[5].element.max_files: 0 (must be an integer 1–10)',
      'blocks[6].element.is_decimal_allowed: missing (required boolean)',
      'blocks[7].fields: 11 fields (max 10)',
      'blocks[8].fields[0].text: 2001 characters (max 2000)',
    ]);
  });

  it('rejects duplicate action_ids within an actions block', () => {
    const buttons = [
      { type: 'button', action_id: 'go', text: plain('A') },
      { type: 'button', action_id: 'go', text: plain('B') },
    ];
    expect(checkView(withBlocks([{ type: 'actions', elements: buttons }]))).toEqual([
      "blocks[0].elements[1].action_id: duplicate 'go' (also blocks[0].elements[0])",
    ]);
  });

  it('rejects views that are not modal or home', () => {
    expect(checkView({ type: 'dialog', title: plain('Old'), blocks: [] })).toEqual([
      "type: 'dialog' (must be 'modal' or 'home')",
    ]);
    expect(checkView('nope')).toEqual(['view: must be an object']);
  });
});

describe('checkMessage', () => {
  it('accepts a valid message', () => {
    const blocks = [
      { type: 'header', text: plain('Import #42') },
      section('*12* lines ready'),
      { type: 'markdown', text: '**Bold** summary' },
      { type: 'actions', elements: [{ type: 'button', action_id: 'approve', text: plain('Approve'), value: '42' }] },
    ];
    expect(checkMessage({ text: 'Import #42 ready', blocks })).toEqual([]);
    expect(checkMessage({ text: 'text only' })).toEqual([]);
  });

  it('rejects more than 50 blocks', () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(checkMessage({ text: 'x', blocks })).toEqual(['blocks: 51 blocks (max 50)']);
  });

  it('flags a blocks payload over ~13,000 characters as msg_blocks_too_long', () => {
    const blocks = Array.from({ length: 5 }, (_, index) => section(`${index}`.repeat(2900)));
    const problems = checkMessage({ text: 'x', blocks });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^msg_blocks_too_long: blocks JSON is \d+ characters \(max ~13000\)$/);
  });

  it('rejects text over 40,000 characters', () => {
    expect(checkMessage({ text: 't'.repeat(40_001) })).toEqual(['text: 40001 characters (max 40000)']);
  });
});
