-- Cancellation (`/domum cancel`) and the access lifecycle (issue 8; SPEC §2 statuses).

-- One row per cancellation asked for with `/domum cancel`: who, what, why, and what the announcing job has
-- already done (the thread reply, the requester's DM), so a job that runs twice says nothing twice.
CREATE TABLE cancellations (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id integer NOT NULL REFERENCES access_requests (id),
  -- NULL: the whole request (every access not yet finished); otherwise that one access.
  access_id integer REFERENCES accesses (id),
  cancelled_by text NOT NULL CHECK (cancelled_by <> ''),
  reason text NOT NULL CHECK (char_length(btrim(reason)) BETWEEN 1 AND 3000),
  -- The request's (or the access's) status just before, for the thread reply.
  previous_status text NOT NULL,
  access_count integer NOT NULL CHECK (access_count >= 0),
  announced_ts text,
  requester_notified_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- A request or an access is cancelled once: a second submission finds it cancelled and adds nothing.
CREATE UNIQUE INDEX cancellations_request_key ON cancellations (request_id) WHERE access_id IS NULL;
CREATE UNIQUE INDEX cancellations_access_key ON cancellations (access_id) WHERE access_id IS NOT NULL;

-- The requester is told once, a day before a request's accesses end: end_reminded_at is set (and the DM's
-- job enqueued) in one transaction by the lifecycle tick; end_reminder_ts once the DM was posted.
ALTER TABLE access_requests ADD COLUMN end_reminded_at timestamptz;
ALTER TABLE access_requests ADD COLUMN end_reminder_ts text;

-- What the lifecycle tick looks for every minute: accesses that start, and accesses that end.
CREATE INDEX accesses_starting_idx ON accesses (starts_at) WHERE status = 'scheduled';
CREATE INDEX accesses_ending_idx ON accesses (ends_at) WHERE status IN ('scheduled', 'active');
