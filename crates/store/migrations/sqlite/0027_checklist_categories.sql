-- The catalogue category a checklist item's failure becomes, resolved from the item's
-- category text when the checklist is stored; empty where the text names none.
ALTER TABLE checklist_items ADD COLUMN category_id INTEGER REFERENCES categories(id);
