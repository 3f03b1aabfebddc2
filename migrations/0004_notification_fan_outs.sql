CREATE TABLE `notification_fan_outs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`actor_id` text,
	`dedupe_key` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`created_at` text NOT NULL,
	`dispatched_at` text,
	`attempts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_fan_outs_dedupe_unique` ON `notification_fan_outs` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `notification_fan_outs_dispatched_idx` ON `notification_fan_outs` (`dispatched_at`,`created_at`);--> statement-breakpoint
-- An urgent item entering the moderation queue (or becoming urgent) alerts every guardian. The fan-out row is
-- written by the very statement that makes the item urgent, whichever code path raised it (ML screening,
-- the re-check, a self-harm report), so no alert can be forgotten; the queue consumer does the rest.
CREATE TRIGGER `moderation_queue_items_guardian_alert_on_insert` AFTER INSERT ON `moderation_queue_items`
WHEN NEW.`is_urgent` = 1
BEGIN
	INSERT OR IGNORE INTO `notification_fan_outs` (`id`, `kind`, `subject_id`, `actor_id`, `dedupe_key`, `data`, `created_at`, `dispatched_at`, `attempts`)
	VALUES (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
		'guardian_alert', NEW.`id`, NULL, 'guardian_alert:' || NEW.`id`, '{}', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL, 0);
END;
--> statement-breakpoint
CREATE TRIGGER `moderation_queue_items_guardian_alert_on_update` AFTER UPDATE OF `is_urgent` ON `moderation_queue_items`
WHEN NEW.`is_urgent` = 1 AND OLD.`is_urgent` = 0
BEGIN
	INSERT OR IGNORE INTO `notification_fan_outs` (`id`, `kind`, `subject_id`, `actor_id`, `dedupe_key`, `data`, `created_at`, `dispatched_at`, `attempts`)
	VALUES (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
		'guardian_alert', NEW.`id`, NULL, 'guardian_alert:' || NEW.`id`, '{}', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL, 0);
END;
