-- A campaign's trend reads its rounds by campaign and the time they were finished.
CREATE INDEX inspection_rounds_by_campaign ON inspection_rounds (campaign_id, finished_at);
