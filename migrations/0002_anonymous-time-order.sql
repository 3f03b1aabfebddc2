DROP INDEX `sunlight_shares_type_idx`;--> statement-breakpoint
DROP INDEX `sunlight_shares_deleted_idx`;--> statement-breakpoint
DROP INDEX `sunlight_shares_author_idx`;--> statement-breakpoint
CREATE INDEX `sunlight_shares_type_idx` ON `sunlight_shares` (`share_type`,`deleted_at`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `sunlight_shares_deleted_idx` ON `sunlight_shares` (`deleted_at`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `sunlight_shares_author_idx` ON `sunlight_shares` (`author_id`,`created_at`,`id`);--> statement-breakpoint
DROP INDEX `support_requests_status_urgent_idx`;--> statement-breakpoint
DROP INDEX `support_requests_active_idx`;--> statement-breakpoint
DROP INDEX `support_requests_active_category_idx`;--> statement-breakpoint
CREATE INDEX `support_requests_status_urgent_idx` ON `support_requests` (`status`,`is_urgent`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `support_requests_active_idx` ON `support_requests` (`is_urgent`,`created_at`,`id`) WHERE status IN ('open', 'responded') AND deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `support_requests_active_category_idx` ON `support_requests` (`category`,`is_urgent`,`created_at`,`id`) WHERE status IN ('open', 'responded') AND deleted_at IS NULL;