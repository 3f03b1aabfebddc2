-- Search (issue: find things by what they say). One FTS5 index for every kind of searchable thing, so that a
-- search of all kinds ranks them on one bm25 scale and pages with one cursor.
--
-- search_keys gives each indexed row a stable integer (an INTEGER PRIMARY KEY never changes, where a table's
-- implicit rowid may after a VACUUM); the index's rowid is that key. Triggers keep the index in step with the
-- source rows in the same transaction as the write (so in the same D1 batch): a new row, an edit of its text,
-- its deletion (also by an account's erasure, through the foreign keys' cascade). Who may see a match is
-- decided when searching, against the source row itself (src/modules/search), so a soft-deleted, held or
-- blocked thing never shows, with no rebuild.
CREATE TABLE `search_keys` (
	`key` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`ref_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_keys_ref_idx` ON `search_keys` (`kind`, `ref_id`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `search_index` USING fts5(
	`kind` UNINDEXED,
	`ref_id` UNINDEXED,
	`created_at` UNINDEXED,
	`title`,
	`body`,
	tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `search_posts_after_insert` AFTER INSERT ON `posts` BEGIN
	INSERT INTO `search_keys` (`kind`, `ref_id`) VALUES ('post', new.`id`);
	INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
		VALUES (last_insert_rowid(), 'post', new.`id`, new.`created_at`, NULL, new.`body`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_posts_after_update` AFTER UPDATE OF `body` ON `posts` BEGIN
	UPDATE `search_index` SET `body` = new.`body`
		WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'post' AND `ref_id` = new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_posts_after_delete` AFTER DELETE ON `posts` BEGIN
	DELETE FROM `search_index`
		WHERE `rowid` = (SELECT `key` FROM `search_keys` WHERE `kind` = 'post' AND `ref_id` = old.`id`);
	DELETE FROM `search_keys` WHERE `kind` = 'post' AND `ref_id` = old.`id`;
END;
--> statement-breakpoint
INSERT INTO `search_keys` (`kind`, `ref_id`) SELECT 'post', `id` FROM `posts` ORDER BY `id`;
--> statement-breakpoint
INSERT INTO `search_index` (`rowid`, `kind`, `ref_id`, `created_at`, `title`, `body`)
	SELECT `search_keys`.`key`, 'post', `posts`.`id`, `posts`.`created_at`, NULL, `posts`.`body`
	FROM `posts` JOIN `search_keys` ON `search_keys`.`kind` = 'post' AND `search_keys`.`ref_id` = `posts`.`id`;
