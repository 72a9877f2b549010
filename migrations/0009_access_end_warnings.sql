-- A day before an access ends, its user gets one email saying when (issue 17, "Warn vendor users"): when the
-- mail server took it, or what it answered when it refused it for good. Recorded per access right after each
-- email, so a job that runs again sends only what was not sent.
ALTER TABLE accesses ADD COLUMN end_warning_sent_at timestamptz;
ALTER TABLE accesses ADD COLUMN end_warning_error text;
