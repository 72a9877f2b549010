-- Extending, shortening or ending a batch (issue 17, `/domum extend W000123`): a new end for every access in
-- force of a request. A later end is approved again by the request's access groups, on a card in its thread; an
-- earlier one applies at once. Each row is one ask, with what the jobs have already done, so a job that runs
-- twice says nothing twice.
CREATE TABLE request_extensions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id integer NOT NULL REFERENCES access_requests (id),
  requested_by text NOT NULL CHECK (requested_by <> ''),
  reason text NOT NULL CHECK (char_length(btrim(reason)) BETWEEN 1 AND 3000),
  -- The end of the accesses when it was asked, and the end asked for.
  previous_end timestamptz NOT NULL,
  new_end timestamptz NOT NULL CHECK (new_end <> previous_end),
  -- awaiting_approval (a later end, on its card) → approved (to be applied) → applied; or rejected, expired
  -- (nobody decided by approval_deadline), cancelled (the request was cancelled first). An earlier end is
  -- approved at once.
  status text NOT NULL CHECK (status IN ('awaiting_approval', 'approved', 'applied', 'rejected', 'expired', 'cancelled')),
  needs_approval boolean NOT NULL,
  approval_deadline timestamptz,
  -- How many accesses the new end was given to, once applied.
  access_count integer CHECK (access_count >= 0),
  card_channel_id text,
  card_ts text,
  -- The thread reply that says how it ended, the direct messages to whoever asked and to the requester.
  outcome_ts text,
  asker_notified_at timestamptz,
  requester_notified_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  applied_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One extension at a time per request: a second one waits until the first is decided and applied.
CREATE UNIQUE INDEX request_extensions_open_key ON request_extensions (request_id)
  WHERE status IN ('awaiting_approval', 'approved');

-- The approvers' decisions on an extension, as approval_responses are on a request.
CREATE TABLE extension_responses (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  extension_id integer NOT NULL REFERENCES request_extensions (id),
  access_group_id integer NOT NULL REFERENCES access_groups (id),
  approver_user_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
  comment text CHECK (char_length(comment) <= 3000),
  announced_ts text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (extension_id, access_group_id, approver_user_id),
  CHECK (decision = 'approve' OR char_length(btrim(comment)) > 0)
);

-- The end each user was last told of by email (the warning a day before, or the notice that it moved): when the
-- end moves after that, they are told again, once. Accesses warned before this migration were told of their end.
ALTER TABLE accesses ADD COLUMN end_warned_for timestamptz;
UPDATE accesses SET end_warned_for = ends_at WHERE end_warning_sent_at IS NOT NULL;
