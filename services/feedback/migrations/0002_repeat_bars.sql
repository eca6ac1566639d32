-- RULES.md R14.5 (2026-12): an institution whose bar has ended or was lifted can be barred
-- again by new complaints, so the one-bar-per-institution-ever index goes. Every order stays;
-- a bar is still ordered once (its command id names its first day).
DROP INDEX sanction_orders_one_bar;
CREATE INDEX sanction_orders_institution ON sanction_orders (institution_credit_code, kind);
