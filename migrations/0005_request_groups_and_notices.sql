-- Who approves a request is decided once, and what a job has already posted is a column, not a line in the
-- audit log (issue 14).

-- The vendor of the user a line creates, resolved by the dry run (NULL for existing and error lines).
ALTER TABLE import_lines ADD COLUMN vendor_id integer REFERENCES vendors (id);

-- Lines of imports made before this migration: the vendor named in the file's Vendor column (its header in
-- English, Portuguese or Spanish, as the reader matches it), compared as the dry run compares it.
UPDATE import_lines l
   SET vendor_id = v.id
  FROM imports i
       CROSS JOIN LATERAL (
         SELECT (h.ord - 1)::int AS idx
           FROM jsonb_array_elements_text(i.headers) WITH ORDINALITY AS h (name, ord)
          WHERE lower(regexp_replace(btrim(h.name), '\s*\*$', '')) IN ('vendor', 'fornecedor', 'proveedor')
          ORDER BY h.ord
          LIMIT 1
       ) c,
       vendors v
 WHERE l.import_id = i.id
   AND l.predicted_outcome IN ('created', 'created_inactive')
   AND lower(v.name) = lower(btrim(l.raw ->> c.idx));

-- The access groups whose approvers decide a request: those of the vendors of its new users, fixed when the
-- request is created (a later change to the spreadsheet's lines or the catalog's vendors does not move them).
CREATE TABLE access_request_groups (
  request_id integer NOT NULL REFERENCES access_requests (id),
  access_group_id integer NOT NULL REFERENCES access_groups (id),
  PRIMARY KEY (request_id, access_group_id)
);

INSERT INTO access_request_groups (request_id, access_group_id)
SELECT DISTINCT r.id, v.access_group_id
  FROM access_requests r
  JOIN import_lines l ON l.import_id = r.import_id AND l.predicted_outcome = 'created'
  JOIN vendors v ON v.id = l.vendor_id;

-- The email job that moved the request to completed (or completed_with_errors): it, and only it, posts the
-- summary. A retry of failed lines completes the request again and records its own finisher.
ALTER TABLE access_requests ADD COLUMN finished_by_job text;
-- The summary (its ts) whose results spreadsheet is in the thread: a retried summary gets its own upload.
ALTER TABLE access_requests ADD COLUMN results_posted_for text;

UPDATE access_requests r
   SET finished_by_job = (
         SELECT e.details ->> 'finisher'
           FROM audit_events e
          WHERE e.target = r.code AND e.action IN ('request.completed', 'request.completed_with_errors')
          ORDER BY e.id DESC
          LIMIT 1),
       results_posted_for = (
         SELECT e.details ->> 'summaryTs'
           FROM audit_events e
          WHERE e.target = r.code AND e.action = 'request.results_uploaded'
            AND e.details ->> 'summaryTs' = r.summary_ts
          LIMIT 1)
 WHERE r.status IN ('completed', 'completed_with_errors');
