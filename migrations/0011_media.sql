CREATE TABLE `media` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`object_key` text NOT NULL,
	`content_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`width` integer,
	`height` integer,
	`duration_s` real,
	`alt` text,
	`status` text DEFAULT 'ready' NOT NULL,
	`attached_kind` text,
	`attached_id` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "media_content_type_check" CHECK("media"."content_type" IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif', 'video/mp4', 'video/webm')),
	CONSTRAINT "media_status_check" CHECK("media"."status" IN ('ready', 'deleted')),
	CONSTRAINT "media_bytes_check" CHECK("media"."bytes" > 0),
	CONSTRAINT "media_attached_check" CHECK(("media"."attached_kind" IS NULL) = ("media"."attached_id" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `media_object_key_unique` ON `media` (`object_key`);--> statement-breakpoint
CREATE INDEX `media_owner_created_idx` ON `media` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `media_attached_idx` ON `media` (`attached_kind`,`attached_id`);