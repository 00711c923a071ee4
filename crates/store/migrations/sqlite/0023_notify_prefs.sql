-- Which notifications a staff member also wants by SMS or e-mail, and where to send
-- them; the workbench shows them all. Topics are space-separated names.
CREATE TABLE notify_prefs (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    sms_topics TEXT NOT NULL,
    email_topics TEXT NOT NULL
);

-- The handlers or leaders of a unit, found in the transaction of every action that
-- tells them something.
CREATE INDEX users_by_unit_role ON users (unit_id, role);
