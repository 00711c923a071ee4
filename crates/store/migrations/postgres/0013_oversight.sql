-- One draft bulletin per unit and period. A draft carries its unit, period kind and first
-- day as `draft_key`, unique among drafts and cleared when it is published, so that two
-- supervisors generating the same bulletin at once get one draft and a pointer to it.
-- Drafts made before this keep no key.
ALTER TABLE bulletins ADD COLUMN draft_key TEXT;
CREATE UNIQUE INDEX bulletins_one_draft ON bulletins (draft_key);
