-- Approvers are told, and the card tells the truth (issue 15).

-- When an undecided request expires (APPROVAL_TTL_HOURS after it was created), kept with the request so the card,
-- the approvers' messages and the reminder say the same instant whatever the setting is later. Requests made
-- before this migration get none: they show no "Decide by".
ALTER TABLE access_requests ADD COLUMN approval_deadline timestamptz;

-- When the approval was announced in the card's thread and provisioning was let go: the "Processing" message
-- comes after the approval reply, never before it. Requests already past approval count as released.
ALTER TABLE access_requests ADD COLUMN provisioning_released_at timestamptz;
UPDATE access_requests SET provisioning_released_at = coalesce(decided_at, updated_at)
 WHERE status IN ('approved', 'processing', 'completed', 'completed_with_errors');

-- The direct message each approver got when the card was posted: one per approver and request, whatever runs
-- twice.
CREATE TABLE approver_notices (
  request_id integer NOT NULL REFERENCES access_requests (id),
  user_id text NOT NULL,
  channel_id text NOT NULL,
  ts text NOT NULL,
  sent_at timestamptz NOT NULL,
  PRIMARY KEY (request_id, user_id)
);
