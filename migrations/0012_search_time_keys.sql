-- Search: an index row's key places it in time, so newest-first search (which walks the index by key,
-- src/core/search.ts) lists every kind in the order it was created, and the key says nothing more than the
-- thing's own created_at does.
--
-- Until now a key was the next integer: its insertion order. That had two faults. The rows 0009_search_kinds
-- filled for existing groups, projects, Guides, items and shares came after every post, so newest-first search
-- would show a year-old group above today's posts. And an anonymous Sunlight share's key said when, within
-- its hour, it was written, relative to named things whose times are exact: the precision its hour-rounded
-- created_at and random id exist to hide (a new account's first anonymous share could be lined up with it).
--
-- Now: key = created_at in milliseconds × 1024 + the next free number within that millisecond. An anonymous
-- share's millisecond is its hour (created_at is already rounded down to it) plus a random offset within the
-- hour, so its place among named things of that hour is random and its key carries nothing of when it was
-- written. Existing rows are renumbered the same way below: the index is emptied (securely: 0010) and refilled.
-- Keys stay below 2^53 (milliseconds × 1024 ≈ 1.8e15), so a client reads a cursor's key exactly.
DROP TRIGGER `search_posts_after_insert`;
--> statement-breakpoint
CREATE TRIGGER `search_posts_after_insert` AFTER INSERT ON `posts` BEGIN
	INSERT INTO `search_keys` (`key`, `kind`, `ref_id`) VALUES (
		(SELECT coalesce(max(k.`key`) + 1, b.`base`) FROM (SELECT (CAST(round(unixepoch(new.`created_at`, 'subsec') * 1000) AS INTEGER)) * 1024 AS `base`) AS b
			LEFT JOIN `search_keys` AS k ON k.`key` >= b.`base` AND k.`key` < b.`base` + 1024),
		'post', new.`id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		VALUES (last_insert_rowid(), 'post', new.`id`, new.`created_at`, NULL, new.`body`);
END;
--> statement-breakpoint
DROP TRIGGER `search_groups_after_insert`;
--> statement-breakpoint
CREATE TRIGGER `search_groups_after_insert` AFTER INSERT ON `fellowship_groups` BEGIN
	INSERT INTO `search_keys` (`key`, `kind`, `ref_id`) VALUES (
		(SELECT coalesce(max(k.`key`) + 1, b.`base`) FROM (SELECT (CAST(round(unixepoch(new.`created_at`, 'subsec') * 1000) AS INTEGER)) * 1024 AS `base`) AS b
			LEFT JOIN `search_keys` AS k ON k.`key` >= b.`base` AND k.`key` < b.`base` + 1024),
		'group', new.`id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		VALUES (last_insert_rowid(), 'group', new.`id`, new.`created_at`, new.`name`, new.`description`);
END;
--> statement-breakpoint
DROP TRIGGER `search_projects_after_insert`;
--> statement-breakpoint
CREATE TRIGGER `search_projects_after_insert` AFTER INSERT ON `projects` BEGIN
	INSERT INTO `search_keys` (`key`, `kind`, `ref_id`) VALUES (
		(SELECT coalesce(max(k.`key`) + 1, b.`base`) FROM (SELECT (CAST(round(unixepoch(new.`created_at`, 'subsec') * 1000) AS INTEGER)) * 1024 AS `base`) AS b
			LEFT JOIN `search_keys` AS k ON k.`key` >= b.`base` AND k.`key` < b.`base` + 1024),
		'project', new.`id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		VALUES (last_insert_rowid(), 'project', new.`id`, new.`created_at`, new.`title`, new.`description`);
END;
--> statement-breakpoint
DROP TRIGGER `search_nourishment_after_insert`;
--> statement-breakpoint
CREATE TRIGGER `search_nourishment_after_insert` AFTER INSERT ON `nourishment_items` BEGIN
	INSERT INTO `search_keys` (`key`, `kind`, `ref_id`) VALUES (
		(SELECT coalesce(max(k.`key`) + 1, b.`base`) FROM (SELECT (CAST(round(unixepoch(new.`created_at`, 'subsec') * 1000) AS INTEGER)) * 1024 AS `base`) AS b
			LEFT JOIN `search_keys` AS k ON k.`key` >= b.`base` AND k.`key` < b.`base` + 1024),
		'nourishment', new.`id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		VALUES (last_insert_rowid(), 'nourishment', new.`id`, new.`created_at`, new.`title`, new.`body` || CASE WHEN new.`author` IS NULL THEN '' ELSE char(10) || new.`author` END);
END;
--> statement-breakpoint
DROP TRIGGER `search_sunlight_after_insert`;
--> statement-breakpoint
CREATE TRIGGER `search_sunlight_after_insert` AFTER INSERT ON `sunlight_shares` BEGIN
	INSERT INTO `search_keys` (`key`, `kind`, `ref_id`) VALUES (
		(SELECT coalesce(max(k.`key`) + 1, b.`base`) FROM (SELECT (CASE WHEN new.`is_anonymous` THEN CAST(round(unixepoch(new.`created_at`, 'subsec') * 1000) AS INTEGER) + abs(random()) % 3600000 ELSE CAST(round(unixepoch(new.`created_at`, 'subsec') * 1000) AS INTEGER) END) * 1024 AS `base`) AS b
			LEFT JOIN `search_keys` AS k ON k.`key` >= b.`base` AND k.`key` < b.`base` + 1024),
		'sunlight', new.`id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		VALUES (last_insert_rowid(), 'sunlight', new.`id`, new.`created_at`, NULL, new.`body`);
END;
--> statement-breakpoint
DROP TRIGGER `search_guides_after_insert`;
--> statement-breakpoint
CREATE TRIGGER `search_guides_after_insert` AFTER INSERT ON `guide_profiles` BEGIN
	INSERT INTO `search_keys` (`key`, `kind`, `ref_id`) VALUES (
		(SELECT coalesce(max(k.`key`) + 1, b.`base`) FROM (SELECT (CAST(round(unixepoch(new.`created_at`, 'subsec') * 1000) AS INTEGER)) * 1024 AS `base`) AS b
			LEFT JOIN `search_keys` AS k ON k.`key` >= b.`base` AND k.`key` < b.`base` + 1024),
		'guide', new.`user_id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		SELECT last_insert_rowid(), 'guide', new.`user_id`, new.`created_at`, u.`display_name`, new.`headline` || char(10) || u.`bio` || char(10) || coalesce((SELECT group_concat(`value`, ', ') FROM json_each(new.`specialties`)), '')
		FROM `users` AS u WHERE u.`id` = new.`user_id`;
END;
--> statement-breakpoint
DELETE FROM `search_index`;
--> statement-breakpoint
DELETE FROM `search_keys`;
--> statement-breakpoint
-- D1 allows few terms in a compound SELECT: the things are gathered kind by kind in a scratch table.
CREATE TABLE `search_rekey` (`kind` text NOT NULL, `ref_id` text NOT NULL, `ms` integer);
--> statement-breakpoint
INSERT INTO `search_rekey` (`kind`, `ref_id`, `ms`) SELECT 'post', `id`, CAST(round(unixepoch(`created_at`, 'subsec') * 1000) AS INTEGER) FROM `posts`;
--> statement-breakpoint
INSERT INTO `search_rekey` (`kind`, `ref_id`, `ms`) SELECT 'group', `id`, CAST(round(unixepoch(`created_at`, 'subsec') * 1000) AS INTEGER) FROM `fellowship_groups`;
--> statement-breakpoint
INSERT INTO `search_rekey` (`kind`, `ref_id`, `ms`) SELECT 'project', `id`, CAST(round(unixepoch(`created_at`, 'subsec') * 1000) AS INTEGER) FROM `projects`;
--> statement-breakpoint
INSERT INTO `search_rekey` (`kind`, `ref_id`, `ms`) SELECT 'nourishment', `id`, CAST(round(unixepoch(`created_at`, 'subsec') * 1000) AS INTEGER) FROM `nourishment_items`;
--> statement-breakpoint
INSERT INTO `search_rekey` (`kind`, `ref_id`, `ms`) SELECT 'sunlight', s.`id`, CASE WHEN s.`is_anonymous` THEN CAST(round(unixepoch(s.`created_at`, 'subsec') * 1000) AS INTEGER) + abs(random()) % 3600000 ELSE CAST(round(unixepoch(s.`created_at`, 'subsec') * 1000) AS INTEGER) END FROM `sunlight_shares` AS s;
--> statement-breakpoint
INSERT INTO `search_rekey` (`kind`, `ref_id`, `ms`) SELECT 'guide', `user_id`, CAST(round(unixepoch(`created_at`, 'subsec') * 1000) AS INTEGER) FROM `guide_profiles`;
--> statement-breakpoint
INSERT INTO `search_keys` (`key`, `kind`, `ref_id`)
	SELECT `ms` * 1024 + row_number() OVER (PARTITION BY `ms` ORDER BY `kind`, `ref_id`) - 1, `kind`, `ref_id`
	FROM `search_rekey`;
--> statement-breakpoint
DROP TABLE `search_rekey`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT k.`key`, 'post', s.`id`, s.`created_at`, NULL, s.`body`
	FROM `posts` AS s JOIN `search_keys` AS k ON k.`kind` = 'post' AND k.`ref_id` = s.`id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT k.`key`, 'group', s.`id`, s.`created_at`, s.`name`, s.`description`
	FROM `fellowship_groups` AS s JOIN `search_keys` AS k ON k.`kind` = 'group' AND k.`ref_id` = s.`id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT k.`key`, 'project', s.`id`, s.`created_at`, s.`title`, s.`description`
	FROM `projects` AS s JOIN `search_keys` AS k ON k.`kind` = 'project' AND k.`ref_id` = s.`id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT k.`key`, 'nourishment', s.`id`, s.`created_at`, s.`title`, s.`body` || CASE WHEN s.`author` IS NULL THEN '' ELSE char(10) || s.`author` END
	FROM `nourishment_items` AS s JOIN `search_keys` AS k ON k.`kind` = 'nourishment' AND k.`ref_id` = s.`id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT k.`key`, 'sunlight', s.`id`, s.`created_at`, NULL, s.`body`
	FROM `sunlight_shares` AS s JOIN `search_keys` AS k ON k.`kind` = 'sunlight' AND k.`ref_id` = s.`id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT k.`key`, 'guide', gp.`user_id`, gp.`created_at`, u.`display_name`, gp.`headline` || char(10) || u.`bio` || char(10) || coalesce((SELECT group_concat(`value`, ', ') FROM json_each(gp.`specialties`)), '')
	FROM `guide_profiles` AS gp JOIN `users` AS u ON u.`id` = gp.`user_id`
	JOIN `search_keys` AS k ON k.`kind` = 'guide' AND k.`ref_id` = gp.`user_id`;
