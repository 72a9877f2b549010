-- "Send me a new token" presses, per link id (issue 15). The landing page now answers a press refused by the rate
-- limit (one a minute, five in 24 hours) with when to try again, and must still not reveal whether the link
-- exists: so the presses are counted per link id as it appears in the URL, unknown ids included, without looking
-- the link up, and every id gets the same work and the same answers (src/usecases/ask-new-token.ts). The job
-- the page queues still applies the access's own limits (token_resends), shared with the admin resend.
-- Rows older than 24 hours count for nothing and are deleted as presses arrive.
CREATE TABLE new_token_presses (
  link_id text NOT NULL CHECK (char_length(link_id) BETWEEN 1 AND 64),
  pressed_at timestamptz NOT NULL
);
CREATE INDEX new_token_presses_link_idx ON new_token_presses (link_id, pressed_at);
CREATE INDEX new_token_presses_pressed_at_idx ON new_token_presses (pressed_at);
