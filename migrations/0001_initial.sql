-- Domum for Slack: every entity of SPEC §2, with the constraints that make impossible states impossible.
-- Forward-only: once landed, this file is never edited; later changes go in 0002_….sql and onwards.

-- Human-facing codes (IMP-000123, W000123, EXT-26-000487) come from sequences, so they are unique without
-- a read-modify-write, and keep growing past six digits instead of wrapping or truncating.
CREATE FUNCTION domum_format_code(prefix text, n bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT prefix || CASE WHEN n < 1000000 THEN lpad(n::text, 6, '0') ELSE n::text END $$;

CREATE SEQUENCE import_code_seq;
CREATE SEQUENCE request_code_seq;
CREATE SEQUENCE access_code_seq;

-- Roles (SPEC §6): admins, importers, requesters, assigned by the catalog. DOMUM_ADMIN_USER_IDS is added at
-- run time and never stored, so removing someone from the environment removes the role.
CREATE TABLE role_assignments (
  slack_user_id text NOT NULL CHECK (slack_user_id ~ '^[UW][A-Z0-9]{2,}$'),
  role text NOT NULL CHECK (role IN ('admin', 'importer', 'requester')),
  PRIMARY KEY (slack_user_id, role)
);

CREATE TABLE access_groups (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (btrim(name) <> ''),
  approver_user_ids text[] NOT NULL DEFAULT '{}',
  approver_usergroup_id text CHECK (approver_usergroup_id ~ '^S[A-Z0-9]{2,}$'),
  approvals_required integer NOT NULL DEFAULT 1 CHECK (approvals_required >= 1),
  rejections_to_cancel integer NOT NULL DEFAULT 1 CHECK (rejections_to_cancel >= 1),
  governance_required boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- A group nobody can approve for would leave every request naming it pending until it expires.
  CHECK (cardinality(approver_user_ids) > 0 OR approver_usergroup_id IS NOT NULL)
);
CREATE UNIQUE INDEX access_groups_name_key ON access_groups (lower(name));

CREATE TABLE vendors (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (btrim(name) <> ''),
  access_group_id integer NOT NULL REFERENCES access_groups (id),
  enabled boolean NOT NULL DEFAULT true,
  contract_start date NOT NULL,
  contract_end date,
  email_domains text[],
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (contract_end IS NULL OR contract_end >= contract_start)
);
CREATE UNIQUE INDEX vendors_name_key ON vendors (lower(name));

CREATE TABLE reasons (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (btrim(name) <> ''),
  enabled boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX reasons_name_key ON reasons (lower(name));
INSERT INTO reasons (name) VALUES ('Change'), ('Incident'), ('Remote work force');

CREATE TABLE devices (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  external_id text NOT NULL UNIQUE CHECK (btrim(external_id) <> ''),
  name text NOT NULL CHECK (btrim(name) <> ''),
  product text NOT NULL DEFAULT '',
  device_type text NOT NULL DEFAULT '',
  site text NOT NULL DEFAULT '',
  domain text NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE credentials (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  external_id text NOT NULL UNIQUE CHECK (btrim(external_id) <> ''),
  device_id integer NOT NULL REFERENCES devices (id),
  credential_type text NOT NULL DEFAULT '',
  username text NOT NULL CHECK (btrim(username) <> ''),
  domain text NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credentials_device_idx ON credentials (device_id);

CREATE TABLE imports (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE DEFAULT domum_format_code('IMP-', nextval('import_code_seq')),
  file_name text NOT NULL,
  -- Known once the file was downloaded: a check that fails before that (Slack refused the download) has none.
  file_hash text CHECK (file_hash ~ '^[0-9a-f]{64}$'),
  slack_file_id text,
  importer_user_id text NOT NULL,
  -- Where it started: the /domum import modal, a spreadsheet uploaded in a channel, or the command line.
  source text NOT NULL DEFAULT 'modal' CHECK (source IN ('modal', 'upload', 'cli')),
  locale text,
  auto_access boolean NOT NULL DEFAULT false,
  sheet_name text,
  -- The file's own header row, in order, so the results spreadsheet can repeat the original columns.
  headers jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(headers) = 'array'),
  unknown_columns text[] NOT NULL DEFAULT '{}',
  -- The modal showing this import (path A), updated in place when the check finishes.
  view_id text,
  preview_ts text,
  summary_ts text,
  status text NOT NULL DEFAULT 'validating'
    CHECK (status IN ('validating', 'ready', 'importing', 'done', 'failed', 'cancelled')),
  failure_reason text,
  channel_id text,
  thread_ts text,
  line_count integer NOT NULL DEFAULT 0 CHECK (line_count >= 0),
  created_count integer NOT NULL DEFAULT 0 CHECK (created_count >= 0),
  created_inactive_count integer NOT NULL DEFAULT 0 CHECK (created_inactive_count >= 0),
  existing_count integer NOT NULL DEFAULT 0 CHECK (existing_count >= 0),
  error_count integer NOT NULL DEFAULT 0 CHECK (error_count >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK (created_count + created_inactive_count + existing_count + error_count <= line_count),
  CHECK ((status = 'failed') = (failure_reason IS NOT NULL)),
  CHECK (status IN ('validating', 'failed', 'cancelled') OR file_hash IS NOT NULL),
  CHECK ((status IN ('done', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);
CREATE INDEX imports_importer_idx ON imports (importer_user_id, created_at DESC);
CREATE INDEX imports_file_hash_idx ON imports (file_hash);
-- One import per uploaded Slack file: Slack delivers an upload as several events, and retries deliveries.
CREATE UNIQUE INDEX imports_upload_file_key ON imports (slack_file_id) WHERE source = 'upload';

CREATE TABLE third_party_users (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  vendor_id integer NOT NULL REFERENCES vendors (id),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  -- Stored lower-case (SPEC §3); the unique index on lower() also refuses a mixed-case twin written by hand.
  email text NOT NULL CHECK (email = lower(email) AND email LIKE '_%@_%'),
  phone text CHECK (phone ~ '^\+[0-9]{8,15}$'),
  document text CHECK (char_length(document) <= 64),
  enabled boolean NOT NULL,
  import_id integer REFERENCES imports (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX third_party_users_email_key ON third_party_users (lower(email));

CREATE TABLE import_lines (
  import_id integer NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  line_number integer NOT NULL CHECK (line_number >= 1),
  -- The line's cells, in the file's column order (imports.headers).
  raw jsonb NOT NULL CHECK (jsonb_typeof(raw) = 'array'),
  -- What the dry run predicted; `outcome` is what really happened, set when the import ran.
  predicted_outcome text NOT NULL CHECK (predicted_outcome IN ('created', 'created_inactive', 'existing', 'error')),
  outcome text CHECK (outcome IN ('created', 'created_inactive', 'existing', 'error')),
  errors jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(errors) = 'array'),
  user_id integer REFERENCES third_party_users (id),
  PRIMARY KEY (import_id, line_number),
  CHECK (coalesce(outcome, predicted_outcome) <> 'error' OR jsonb_array_length(errors) > 0),
  CHECK (outcome NOT IN ('created', 'created_inactive', 'existing') OR user_id IS NOT NULL)
);

CREATE TABLE access_requests (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE DEFAULT domum_format_code('W', nextval('request_code_seq')),
  import_id integer NOT NULL UNIQUE REFERENCES imports (id),
  requester_user_id text NOT NULL,
  justification text NOT NULL CHECK (char_length(btrim(justification)) BETWEEN 1 AND 1000),
  reason_id integer NOT NULL REFERENCES reasons (id),
  governance_code text,
  limitation jsonb NOT NULL CHECK (jsonb_typeof(limitation) = 'object'),
  time_zone text NOT NULL CHECK (time_zone <> ''),
  status text NOT NULL DEFAULT 'awaiting_approval'
    CHECK (status IN ('awaiting_approval', 'approved', 'processing', 'completed', 'completed_with_errors',
                      'rejected', 'expired', 'cancelled')),
  channel_id text,
  thread_ts text,
  -- Where the card was posted (the import's channel, or the requester's DM when the bot could not post there).
  card_channel_id text,
  card_ts text,
  -- The last status the requester was told about by DM: a job that runs twice does not tell twice.
  notified_status text,
  -- When the approvers still missing were reminded (once, at half the approval TTL).
  reminded_at timestamptz,
  -- Provisioning's progress message (edited in place) and its summary reply, each posted once.
  progress_ts text,
  progress_updated_at timestamptz,
  summary_ts text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  CHECK ((status = 'awaiting_approval') = (decided_at IS NULL))
);
CREATE INDEX access_requests_requester_idx ON access_requests (requester_user_id, created_at DESC);

-- The wizard's answers between steps (SPEC §4: state kept in PostgreSQL; the modal carries only the id).
-- One draft per import; a closed modal keeps it until it expires, so /domum import can offer to resume.
CREATE TABLE request_drafts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  import_id integer NOT NULL UNIQUE REFERENCES imports (id) ON DELETE CASCADE,
  requester_user_id text NOT NULL,
  time_zone text NOT NULL CHECK (time_zone <> ''),
  data jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(data) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX request_drafts_requester_idx ON request_drafts (requester_user_id, expires_at);

CREATE TABLE access_request_devices (
  request_id integer NOT NULL REFERENCES access_requests (id) ON DELETE CASCADE,
  device_id integer NOT NULL REFERENCES devices (id),
  PRIMARY KEY (request_id, device_id)
);

CREATE TABLE access_request_grants (
  request_id integer NOT NULL REFERENCES access_requests (id) ON DELETE CASCADE,
  credential_id integer NOT NULL REFERENCES credentials (id),
  start_session boolean NOT NULL,
  view_password boolean NOT NULL,
  PRIMARY KEY (request_id, credential_id),
  -- SPEC §4: every credential needs at least one permission.
  CHECK (start_session OR view_password)
);

CREATE TABLE accesses (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE
    DEFAULT domum_format_code('EXT-' || to_char(now() AT TIME ZONE 'UTC', 'YY') || '-', nextval('access_code_seq')),
  user_id integer NOT NULL REFERENCES third_party_users (id),
  request_id integer NOT NULL REFERENCES access_requests (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  time_zone text NOT NULL CHECK (time_zone <> ''),
  grants jsonb NOT NULL CHECK (jsonb_typeof(grants) = 'array' AND jsonb_array_length(grants) > 0),
  limitation jsonb NOT NULL CHECK (jsonb_typeof(limitation) = 'object'),
  status text NOT NULL CHECK (status IN ('scheduled', 'active', 'finished', 'cancelled', 'error')),
  first_access_state text NOT NULL DEFAULT 'link_sent' CHECK (first_access_state IN ('link_sent', 'activated')),
  link_id text NOT NULL UNIQUE CHECK (char_length(link_id) >= 16),
  token_hash text,
  token_expires_at timestamptz,
  failed_token_attempts integer NOT NULL DEFAULT 0 CHECK (failed_token_attempts BETWEEN 0 AND 5),
  sessions_used integer NOT NULL DEFAULT 0 CHECK (sessions_used >= 0),
  activated_at timestamptz,
  cancelled_at timestamptz,
  -- The two first-access emails (SPEC §5), each recorded once accepted by the mail server, so a chunk that
  -- runs again sends only what was not sent; a permanent refusal keeps the server's reply.
  link_email_sent_at timestamptz,
  token_email_sent_at timestamptz,
  email_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- One access per user per request: a provisioning chunk that runs twice cannot create a second one.
  UNIQUE (request_id, user_id),
  CHECK (ends_at > starts_at),
  CHECK ((token_hash IS NULL) = (token_expires_at IS NULL)),
  CHECK ((first_access_state = 'activated') = (activated_at IS NOT NULL)),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX accesses_user_idx ON accesses (user_id);

CREATE TABLE approval_responses (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id integer NOT NULL REFERENCES access_requests (id),
  access_group_id integer NOT NULL REFERENCES access_groups (id),
  approver_user_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
  comment text CHECK (char_length(comment) <= 3000),
  -- The thread reply that announced this decision, once posted.
  announced_ts text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (request_id, access_group_id, approver_user_id),
  -- Reject asks for a reason (SPEC §4a).
  CHECK (decision = 'approve' OR char_length(btrim(comment)) > 0)
);

CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_target_idx ON audit_events (target, created_at);

-- Append-only: the audit trail is evidence, so even the application's own role cannot rewrite it.
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
