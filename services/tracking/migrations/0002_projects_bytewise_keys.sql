-- Byte-wise ("C") comparison for the two text keys every intake write touches: the primary key
-- (one probe per record to read the stored revision, one insert per new project) and the year
-- index. With the cluster's C.UTF-8 default, PostgreSQL copies both strings and calls strcoll
-- for each comparison; "C" is a plain memcmp. The order is unchanged: UTF-8 bytes sort as code
-- points, which is how C.UTF-8 sorts, and credit codes are ASCII anyway.
ALTER TABLE projects
  ALTER COLUMN project_id TYPE text COLLATE "C",
  ALTER COLUMN institution_credit_code TYPE text COLLATE "C";
