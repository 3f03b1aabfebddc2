CREATE TABLE `penalty_tombstones` (
	`subject_hash` text PRIMARY KEY NOT NULL,
	`suspended_until` text NOT NULL,
	`duration` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `penalty_tombstones_until_idx` ON `penalty_tombstones` (`suspended_until`);--> statement-breakpoint
CREATE TABLE `connection_cooldowns` (
	`id` text PRIMARY KEY NOT NULL,
	`requester_id` text NOT NULL,
	`addressee_id` text NOT NULL,
	`until` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`requester_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`addressee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connection_cooldowns_pair_unique` ON `connection_cooldowns` (`requester_id`,`addressee_id`);--> statement-breakpoint
CREATE INDEX `connection_cooldowns_addressee_idx` ON `connection_cooldowns` (`addressee_id`);--> statement-breakpoint
CREATE INDEX `connection_cooldowns_until_idx` ON `connection_cooldowns` (`until`);--> statement-breakpoint
DROP INDEX `moderation_queue_items_status_score_idx`;--> statement-breakpoint
ALTER TABLE `moderation_queue_items` ADD `author_erased_at` text;--> statement-breakpoint
CREATE INDEX `moderation_queue_items_status_urgent_score_idx` ON `moderation_queue_items` (`status`,"is_urgent" DESC,"score" DESC,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `reports` ADD `hide_weight` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Reports filed before hide weights existed keep counting toward hiding when their reporter was at least growing.
UPDATE `reports` SET `hide_weight` = `weight` WHERE `weight` >= 2;--> statement-breakpoint
-- Requests declined before the cooldown table existed keep their 7-day wait.
INSERT INTO `connection_cooldowns` (`id`, `requester_id`, `addressee_id`, `until`, `created_at`)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
	`requester_id`, `addressee_id`, strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(`responded_at`, `updated_at`), '+7 days'), `updated_at`
FROM `connections` WHERE `status` = 'declined';
