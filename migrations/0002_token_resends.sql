-- "Send me a new token" and the admin resend (SPEC §5, issue 7): one row per resend asked for, so the rate
-- limit (at most one a minute and five in any 24 hours per access) holds across processes and restarts. A row
-- counts from the moment it is written (two clicks at once cannot both send); a resend the mail server did not
-- take keeps its reason in `error` and no longer counts, so the user may ask again at once.
CREATE TABLE token_resends (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  access_id integer NOT NULL REFERENCES accesses (id),
  -- 'third-party' (the landing page) or the Slack user id of the admin who pressed the button.
  requested_by text NOT NULL CHECK (requested_by <> ''),
  -- Whether the access link email was sent again too (the admin resend), besides the token email.
  with_link boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  error text,
  CHECK (sent_at IS NULL OR error IS NULL)
);
CREATE INDEX token_resends_access_idx ON token_resends (access_id, created_at);
