-- "Send me a new token" is sent by a job (issue 13), so the landing page answers in the same time whatever the
-- link's state. Each resend row remembers the job that made it: a job run again (retried after a crash, or
-- after a transient mail error) finds what it already did, and a job whose token went out sends no second one.
-- NULL for the admin resend from Slack, which sends while the admin waits.
--
-- What counts against the limits changes too (src/usecases/resend-token.ts): a resend the mail server did not
-- take (`error` set) still counts towards at most ten attempts in any 24 hours per access, so a mail server
-- that keeps refusing cannot be used to send without limit; the one a minute and five a day count the others.
ALTER TABLE token_resends ADD COLUMN job_id text;
