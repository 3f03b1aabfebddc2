-- Demo data for local development, loaded by `npm run dev` and `npm run db:seed:local`.
--
-- Idempotent: fixed ids (UUIDv7 whose time part matches created_at), fixed timestamps, and every
-- statement ends in ON CONFLICT DO NOTHING, so running it again neither fails nor duplicates rows and
-- never overwrites changes made through the API. Rows that reference a user join on the seeded
-- parent row, so they are skipped (instead of failing a foreign key) if a demo sub already signed in
-- before the seed ran and got a different id.
--
-- Sign in as a demo user with `npm run -s token -- --sub 'dev|demo-alice'`.
--   dev|demo-alice     user,     growing      (3 habits, a week of logs)
--   dev|demo-bob       user,     new_sprout   (2 habits)
--   dev|demo-guide     guide,    good_soil
--   dev|demo-guardian  guardian, flourishing  (trust locked)
--
-- Other features add their demo rows below, in the same style (fixed ids, ON CONFLICT DO NOTHING,
-- parents before children). Id ranges in use: users ...-000000000001..099, gardens ...101..199,
-- habits ...201..299, habit_logs ...301..399.

-- users ----------------------------------------------------------------------------------------------
INSERT INTO users (
	id, auth0_sub, email, display_name, bio, avatar_url, interests, role, trust_level, trust_level_since,
	trust_locked, timezone, day_start_hour, spiritual_opt_in, suspended_until, deleted_at, created_at, updated_at
) VALUES
	('01a1961f-5c00-7000-8000-000000000001', 'dev|demo-alice', 'alice@example.com', 'Alice Green',
		'Learning to slow down, one habit at a time.', NULL, '["mindfulness","running","reading"]',
		'user', 'growing', '2026-11-10T08:00:00.000Z', 0, 'Europe/London', 4, 0, NULL, NULL,
		'2026-11-01T08:00:00.000Z', '2026-11-10T08:00:00.000Z'),
	('01a1961f-5c00-7000-8000-000000000002', 'dev|demo-bob', 'bob@example.com', 'Bob Rivers',
		'New here. Trying to drink more water and call my family.', NULL, '["health","family"]',
		'user', 'new_sprout', '2026-11-01T08:00:00.000Z', 0, 'America/New_York', 0, 0, NULL, NULL,
		'2026-11-01T08:00:00.000Z', '2026-11-01T08:00:00.000Z'),
	('01a1961f-5c00-7000-8000-000000000003', 'dev|demo-guardian', 'guardian@example.com', 'Grace Keeper',
		'Community guardian. Here to keep the garden safe and kind.', NULL, '["community","mindfulness","faith"]',
		'guardian', 'flourishing', '2026-11-01T08:00:00.000Z', 1, 'Europe/Berlin', 0, 1, NULL, NULL,
		'2026-11-01T08:00:00.000Z', '2026-11-01T08:00:00.000Z'),
	('01a1961f-5c00-7000-8000-000000000004', 'dev|demo-guide', 'guide@example.com', 'Gabriel Oak',
		'Guide for journaling, sleep and gentle routines.', NULL, '["journaling","sleep","mindfulness"]',
		'guide', 'good_soil', '2026-11-01T08:00:00.000Z', 0, 'Australia/Sydney', 0, 0, NULL, NULL,
		'2026-11-01T08:00:00.000Z', '2026-11-01T08:00:00.000Z')
ON CONFLICT DO NOTHING;

-- gardens --------------------------------------------------------------------------------------------
INSERT INTO gardens (id, user_id, name, created_at, updated_at)
SELECT v.column1, v.column2, v.column3, v.column4, v.column4
FROM (VALUES
	('01a1961f-5c00-7000-8000-000000000101', '01a1961f-5c00-7000-8000-000000000001', 'Alice''s Garden', '2026-11-01T08:00:00.000Z'),
	('01a1961f-5c00-7000-8000-000000000102', '01a1961f-5c00-7000-8000-000000000002', 'My Garden', '2026-11-01T08:00:00.000Z'),
	('01a1961f-5c00-7000-8000-000000000103', '01a1961f-5c00-7000-8000-000000000003', 'Quiet Corner', '2026-11-01T08:00:00.000Z'),
	('01a1961f-5c00-7000-8000-000000000104', '01a1961f-5c00-7000-8000-000000000004', 'Gabriel''s Garden', '2026-11-01T08:00:00.000Z')
) AS v
JOIN users u ON u.id = v.column2
WHERE true
ON CONFLICT DO NOTHING;

-- habits ---------------------------------------------------------------------------------------------
-- columns: id, garden_id, user_id, name, description, category, frequency, weekdays, target_count,
--          reminder_time, reminder_enabled, start_date, created_at
INSERT INTO habits (
	id, garden_id, user_id, name, description, category, frequency, weekdays, target_count,
	reminder_time, reminder_enabled, start_date, deleted_at, created_at, updated_at
)
SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9,
	v.column10, v.column11, v.column12, NULL, v.column13, v.column13
FROM (VALUES
	('01a19b45-b800-7000-8000-000000000201', '01a1961f-5c00-7000-8000-000000000101', '01a1961f-5c00-7000-8000-000000000001',
		'Morning meditation', 'Ten quiet minutes before breakfast.', 'mindfulness', 'daily', '[]', 1,
		'07:30', 1, '2026-11-02', '2026-11-02T08:00:00.000Z'),
	('01a19b45-b800-7000-8000-000000000202', '01a1961f-5c00-7000-8000-000000000101', '01a1961f-5c00-7000-8000-000000000001',
		'Run', 'An easy 5 km.', 'health', 'weekdays', '[1,3,5]', 1,
		'18:00', 0, '2026-11-02', '2026-11-02T08:00:00.000Z'),
	('01a19b45-b800-7000-8000-000000000203', '01a1961f-5c00-7000-8000-000000000101', '01a1961f-5c00-7000-8000-000000000001',
		'Read a chapter', '', 'learning', 'times_per_week', '[]', 3,
		NULL, 0, '2026-11-02', '2026-11-02T08:00:00.000Z'),
	('01a19b45-b800-7000-8000-000000000204', '01a1961f-5c00-7000-8000-000000000102', '01a1961f-5c00-7000-8000-000000000002',
		'Drink water', 'Eight glasses a day.', 'health', 'daily', '[]', 8,
		'09:00', 1, '2026-11-02', '2026-11-02T08:00:00.000Z'),
	('01a19b45-b800-7000-8000-000000000205', '01a1961f-5c00-7000-8000-000000000102', '01a1961f-5c00-7000-8000-000000000002',
		'Call family', '', 'relationships', 'times_per_week', '[]', 2,
		NULL, 0, '2026-11-02', '2026-11-02T08:00:00.000Z'),
	('01a19b45-b800-7000-8000-000000000206', '01a1961f-5c00-7000-8000-000000000103', '01a1961f-5c00-7000-8000-000000000003',
		'Evening prayer', '', 'spiritual', 'daily', '[]', 1,
		'21:00', 1, '2026-11-02', '2026-11-02T08:00:00.000Z'),
	('01a19b45-b800-7000-8000-000000000207', '01a1961f-5c00-7000-8000-000000000104', '01a1961f-5c00-7000-8000-000000000004',
		'Journal', 'Three lines before bed.', 'creativity', 'weekdays', '[1,2,3,4,5]', 1,
		'21:30', 1, '2026-11-02', '2026-11-02T08:00:00.000Z')
) AS v
JOIN gardens g ON g.id = v.column2 AND g.user_id = v.column3
WHERE true
ON CONFLICT DO NOTHING;

-- habit_logs -----------------------------------------------------------------------------------------
-- columns: id, habit_id, user_id, local_date, count, note, created_at
INSERT INTO habit_logs (id, habit_id, user_id, local_date, count, note, created_at)
SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7
FROM (VALUES
	-- Alice: meditation on six of seven days, runs Mon/Wed/Fri, two reading sessions this week.
	('01a1f7e5-e080-7000-8000-000000000301', '01a19b45-b800-7000-8000-000000000201', '01a1961f-5c00-7000-8000-000000000001', '2026-11-20', 1, '', '2026-11-20T07:40:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000302', '01a19b45-b800-7000-8000-000000000201', '01a1961f-5c00-7000-8000-000000000001', '2026-11-21', 1, '', '2026-11-21T07:45:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000303', '01a19b45-b800-7000-8000-000000000201', '01a1961f-5c00-7000-8000-000000000001', '2026-11-22', 1, 'Felt calmer today.', '2026-11-22T08:10:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000304', '01a19b45-b800-7000-8000-000000000201', '01a1961f-5c00-7000-8000-000000000001', '2026-11-24', 1, '', '2026-11-24T07:35:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000305', '01a19b45-b800-7000-8000-000000000201', '01a1961f-5c00-7000-8000-000000000001', '2026-11-25', 1, '', '2026-11-25T07:30:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000306', '01a19b45-b800-7000-8000-000000000201', '01a1961f-5c00-7000-8000-000000000001', '2026-11-26', 1, '', '2026-11-26T07:50:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000307', '01a19b45-b800-7000-8000-000000000202', '01a1961f-5c00-7000-8000-000000000001', '2026-11-23', 1, '5.2 km', '2026-11-23T18:40:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000308', '01a19b45-b800-7000-8000-000000000202', '01a1961f-5c00-7000-8000-000000000001', '2026-11-25', 1, '', '2026-11-25T18:30:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000309', '01a19b45-b800-7000-8000-000000000203', '01a1961f-5c00-7000-8000-000000000001', '2026-11-23', 1, '', '2026-11-23T21:00:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000310', '01a19b45-b800-7000-8000-000000000203', '01a1961f-5c00-7000-8000-000000000001', '2026-11-26', 1, '', '2026-11-26T21:15:00.000Z'),
	-- Bob: water in batches (count > 1), one family call.
	('01a1f7e5-e080-7000-8000-000000000311', '01a19b45-b800-7000-8000-000000000204', '01a1961f-5c00-7000-8000-000000000002', '2026-11-25', 5, '', '2026-11-25T20:00:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000312', '01a19b45-b800-7000-8000-000000000204', '01a1961f-5c00-7000-8000-000000000002', '2026-11-26', 8, 'All eight!', '2026-11-26T22:00:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000313', '01a19b45-b800-7000-8000-000000000205', '01a1961f-5c00-7000-8000-000000000002', '2026-11-24', 1, 'Called Mum.', '2026-11-24T23:30:00.000Z'),
	-- Guardian and guide.
	('01a1f7e5-e080-7000-8000-000000000314', '01a19b45-b800-7000-8000-000000000206', '01a1961f-5c00-7000-8000-000000000003', '2026-11-26', 1, '', '2026-11-26T20:05:00.000Z'),
	('01a1f7e5-e080-7000-8000-000000000315', '01a19b45-b800-7000-8000-000000000207', '01a1961f-5c00-7000-8000-000000000004', '2026-11-26', 1, '', '2026-11-26T10:30:00.000Z')
) AS v
JOIN habits h ON h.id = v.column2 AND h.user_id = v.column3
WHERE true
ON CONFLICT DO NOTHING;
