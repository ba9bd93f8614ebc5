-- An administrator can disable an account instead of deleting it: its decisions on findings
-- keep naming who made them. A disabled account cannot log in and its sessions are dropped.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
