-- Search, the other kinds (issue: find things by what they say): groups, projects, Guides, nourishment and
-- Sunlight shares join posts in the one index of 0008_search, kept in step the same way (triggers in the
-- write's own transaction) and filled for existing rows here. Who may see a match is still decided at read
-- time against the live source row (each feature's KindRule), so nothing here encodes visibility.
--
-- What each kind indexes (title, weighted 2x / body):
--   group        name / description
--   project      title / description
--   guide        display name / headline, bio and specialties (the profile a directory shows; two source
--                tables: guide_profiles, and users for the name and bio)
--   nourishment  title / body and the attribution (a quote's author)
--   sunlight     none / body (an anonymous share's created_at is already rounded to the hour; nothing of
--                its author is indexed)
CREATE TRIGGER `search_groups_after_insert` AFTER INSERT ON `fellowship_groups` BEGIN
	INSERT INTO `search_keys` (`kind`, `ref_id`) VALUES ('group', new.`id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		VALUES (last_insert_rowid(), 'group', new.`id`, new.`created_at`, new.`name`, new.`description`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_groups_after_update` AFTER UPDATE OF `name`, `description` ON `fellowship_groups` BEGIN
	UPDATE `search_index` SET `title` = new.`name`, `body` = new.`description`
		WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'group' AND `ref_id` = new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_groups_after_delete` AFTER DELETE ON `fellowship_groups` BEGIN
	DELETE FROM `search_index` WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'group' AND `ref_id` = old.`id`);
	DELETE FROM `search_keys` WHERE `kind` = 'group' AND `ref_id` = old.`id`;
END;
--> statement-breakpoint
INSERT INTO `search_keys` (`kind`, `ref_id`) SELECT 'group', `id` FROM `fellowship_groups` ORDER BY `id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT `search_keys`.`key`, 'group', s.`id`, s.`created_at`, s.`name`, s.`description`
	FROM `fellowship_groups` AS s JOIN `search_keys` ON `search_keys`.`kind` = 'group' AND `search_keys`.`ref_id` = s.`id`;
--> statement-breakpoint
CREATE TRIGGER `search_projects_after_insert` AFTER INSERT ON `projects` BEGIN
	INSERT INTO `search_keys` (`kind`, `ref_id`) VALUES ('project', new.`id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		VALUES (last_insert_rowid(), 'project', new.`id`, new.`created_at`, new.`title`, new.`description`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_projects_after_update` AFTER UPDATE OF `title`, `description` ON `projects` BEGIN
	UPDATE `search_index` SET `title` = new.`title`, `body` = new.`description`
		WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'project' AND `ref_id` = new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_projects_after_delete` AFTER DELETE ON `projects` BEGIN
	DELETE FROM `search_index` WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'project' AND `ref_id` = old.`id`);
	DELETE FROM `search_keys` WHERE `kind` = 'project' AND `ref_id` = old.`id`;
END;
--> statement-breakpoint
INSERT INTO `search_keys` (`kind`, `ref_id`) SELECT 'project', `id` FROM `projects` ORDER BY `id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT `search_keys`.`key`, 'project', s.`id`, s.`created_at`, s.`title`, s.`description`
	FROM `projects` AS s JOIN `search_keys` ON `search_keys`.`kind` = 'project' AND `search_keys`.`ref_id` = s.`id`;
--> statement-breakpoint
CREATE TRIGGER `search_nourishment_after_insert` AFTER INSERT ON `nourishment_items` BEGIN
	INSERT INTO `search_keys` (`kind`, `ref_id`) VALUES ('nourishment', new.`id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		VALUES (last_insert_rowid(), 'nourishment', new.`id`, new.`created_at`, new.`title`, new.`body` || CASE WHEN new.`author` IS NULL THEN '' ELSE char(10) || new.`author` END);
END;
--> statement-breakpoint
CREATE TRIGGER `search_nourishment_after_update` AFTER UPDATE OF `title`, `body`, `author` ON `nourishment_items` BEGIN
	UPDATE `search_index` SET `title` = new.`title`, `body` = new.`body` || CASE WHEN new.`author` IS NULL THEN '' ELSE char(10) || new.`author` END
		WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'nourishment' AND `ref_id` = new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_nourishment_after_delete` AFTER DELETE ON `nourishment_items` BEGIN
	DELETE FROM `search_index` WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'nourishment' AND `ref_id` = old.`id`);
	DELETE FROM `search_keys` WHERE `kind` = 'nourishment' AND `ref_id` = old.`id`;
END;
--> statement-breakpoint
INSERT INTO `search_keys` (`kind`, `ref_id`) SELECT 'nourishment', `id` FROM `nourishment_items` ORDER BY `id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT `search_keys`.`key`, 'nourishment', s.`id`, s.`created_at`, s.`title`, s.`body` || CASE WHEN s.`author` IS NULL THEN '' ELSE char(10) || s.`author` END
	FROM `nourishment_items` AS s JOIN `search_keys` ON `search_keys`.`kind` = 'nourishment' AND `search_keys`.`ref_id` = s.`id`;
--> statement-breakpoint
CREATE TRIGGER `search_sunlight_after_insert` AFTER INSERT ON `sunlight_shares` BEGIN
	INSERT INTO `search_keys` (`kind`, `ref_id`) VALUES ('sunlight', new.`id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		VALUES (last_insert_rowid(), 'sunlight', new.`id`, new.`created_at`, NULL, new.`body`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_sunlight_after_update` AFTER UPDATE OF `body` ON `sunlight_shares` BEGIN
	UPDATE `search_index` SET `body` = new.`body`
		WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'sunlight' AND `ref_id` = new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_sunlight_after_delete` AFTER DELETE ON `sunlight_shares` BEGIN
	DELETE FROM `search_index` WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'sunlight' AND `ref_id` = old.`id`);
	DELETE FROM `search_keys` WHERE `kind` = 'sunlight' AND `ref_id` = old.`id`;
END;
--> statement-breakpoint
INSERT INTO `search_keys` (`kind`, `ref_id`) SELECT 'sunlight', `id` FROM `sunlight_shares` ORDER BY `id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT `search_keys`.`key`, 'sunlight', s.`id`, s.`created_at`, NULL, s.`body`
	FROM `sunlight_shares` AS s JOIN `search_keys` ON `search_keys`.`kind` = 'sunlight' AND `search_keys`.`ref_id` = s.`id`;
--> statement-breakpoint
-- A Guide is found by user id (what the directory's `user_id` is), from their profile row and their user row.
CREATE TRIGGER `search_guides_after_insert` AFTER INSERT ON `guide_profiles` BEGIN
	INSERT INTO `search_keys` (`kind`, `ref_id`) VALUES ('guide', new.`user_id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		SELECT (SELECT `key` FROM `search_keys` WHERE `kind` = 'guide' AND `ref_id` = new.`user_id`), 'guide', new.`user_id`, new.`created_at`, u.`display_name`, new.`headline` || char(10) || u.`bio` || char(10) || coalesce((SELECT group_concat(`value`, ', ') FROM json_each(new.`specialties`)), '')
		FROM `users` AS u WHERE u.`id` = new.`user_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `search_guides_after_update` AFTER UPDATE OF `headline`, `specialties` ON `guide_profiles` BEGIN
	UPDATE `search_index` SET `body` = (SELECT new.`headline` || char(10) || u.`bio` || char(10) || coalesce((SELECT group_concat(`value`, ', ') FROM json_each(new.`specialties`)), '') FROM `users` AS u WHERE u.`id` = new.`user_id`)
		WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'guide' AND `ref_id` = new.`user_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_guides_after_delete` AFTER DELETE ON `guide_profiles` BEGIN
	DELETE FROM `search_index` WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'guide' AND `ref_id` = old.`user_id`);
	DELETE FROM `search_keys` WHERE `kind` = 'guide' AND `ref_id` = old.`user_id`;
END;
--> statement-breakpoint
-- The name and bio live on the user row (an account's erasure blanks them: the index follows at once).
CREATE TRIGGER `search_guides_after_user_update` AFTER UPDATE OF `display_name`, `bio` ON `users`
	WHEN old.`display_name` IS NOT new.`display_name` OR old.`bio` IS NOT new.`bio` BEGIN
	UPDATE `search_index` SET `title` = new.`display_name`,
		`body` = (SELECT gp.`headline` || char(10) || new.`bio` || char(10) || coalesce((SELECT group_concat(`value`, ', ') FROM json_each(gp.`specialties`)), '') FROM `guide_profiles` AS gp WHERE gp.`user_id` = new.`id`)
		WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'guide' AND `ref_id` = new.`id`);
END;
--> statement-breakpoint
INSERT INTO `search_keys` (`kind`, `ref_id`) SELECT 'guide', `user_id` FROM `guide_profiles` ORDER BY `user_id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT `search_keys`.`key`, 'guide', gp.`user_id`, gp.`created_at`, u.`display_name`, gp.`headline` || char(10) || u.`bio` || char(10) || coalesce((SELECT group_concat(`value`, ', ') FROM json_each(gp.`specialties`)), '')
	FROM `guide_profiles` AS gp JOIN `users` AS u ON u.`id` = gp.`user_id`
	JOIN `search_keys` ON `search_keys`.`kind` = 'guide' AND `search_keys`.`ref_id` = gp.`user_id`;
