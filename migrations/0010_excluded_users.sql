-- "Approve except…" (issue 17): an approver approves a request for everyone but some of its users, with a reason.
--
-- One row per user an approver left out, keyed by the import line that brings the user in rather than by the
-- user: the card is posted while the import job may still be creating the users, so an approver can decide before
-- the user rows exist; the line (of the request's one import) is there from the dry run on. Two approvers may
-- exclude the same line, each with their reason: the request's excluded set is the union of the lines. Rows are
-- written only while the request awaits approval, in the decision's transaction (the request row locked), so
-- provisioning never starts with an exclusion still to come.
CREATE TABLE excluded_users (
  request_id integer NOT NULL REFERENCES access_requests (id),
  line_number integer NOT NULL CHECK (line_number >= 1),
  excluded_by text NOT NULL CHECK (excluded_by ~ '^[UW][A-Z0-9]{2,}$'),
  reason text NOT NULL CHECK (char_length(btrim(reason)) BETWEEN 1 AND 3000),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, line_number, excluded_by)
);

-- When provisioning starts, an excluded line that created its user gets the outcome `excluded` (no access, no
-- email), which the results spreadsheet, the summary and `/domum status` show.
ALTER TABLE import_lines DROP CONSTRAINT import_lines_outcome_check;
ALTER TABLE import_lines ADD CONSTRAINT import_lines_outcome_check
  CHECK (outcome IN ('created', 'created_inactive', 'existing', 'error', 'excluded'));
