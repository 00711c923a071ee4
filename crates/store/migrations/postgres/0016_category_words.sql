-- The words people use for a category (井盖, 噪音, 欠薪 …), space-separated: the portal's
-- category box finds a category by them, and a request typed with one resolves to it.
CREATE TABLE category_words (
    category_id BIGINT PRIMARY KEY,
    words TEXT NOT NULL
);

-- Photos of a public form that was refused (an unknown category, a missing title), kept
-- under the form's own key so that sending it again loses none of them.
CREATE TABLE held_photos (
    id BIGSERIAL PRIMARY KEY,
    form_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX held_photos_by_key ON held_photos (form_key, id);
