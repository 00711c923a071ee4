-- Where a request is, when its channel knows: WGS-84 degrees, both or neither.
ALTER TABLE requests ADD COLUMN lat REAL;
ALTER TABLE requests ADD COLUMN long REAL;
