CREATE TABLE `idempotency_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status_code` integer,
	`response_body` text,
	`response_headers` text DEFAULT '{}' NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "idempotency_keys_status_code_check" CHECK("idempotency_keys"."status_code" BETWEEN 100 AND 599)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idempotency_keys_user_key_unique` ON `idempotency_keys` (`user_id`,`key`);--> statement-breakpoint
CREATE INDEX `idempotency_keys_expires_idx` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
CREATE TABLE `event_rsvps` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`user_id` text NOT NULL,
	`status` text NOT NULL,
	`waitlist_position` integer,
	`seq` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `group_events`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "event_rsvps_status_check" CHECK("event_rsvps"."status" IN ('going', 'maybe', 'not_going', 'waitlisted')),
	CONSTRAINT "event_rsvps_waitlist_check" CHECK(("event_rsvps"."status" = 'waitlisted') = ("event_rsvps"."waitlist_position" IS NOT NULL) AND ("event_rsvps"."waitlist_position" IS NULL OR "event_rsvps"."waitlist_position" >= 1))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `event_rsvps_event_user_unique` ON `event_rsvps` (`event_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `event_rsvps_event_status_idx` ON `event_rsvps` (`event_id`,`status`,`waitlist_position`,`id`);--> statement-breakpoint
CREATE INDEX `event_rsvps_user_status_idx` ON `event_rsvps` (`user_id`,`status`);--> statement-breakpoint
CREATE TABLE `fellowship_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`group_type` text NOT NULL,
	`visibility` text DEFAULT 'public' NOT NULL,
	`is_spiritual` integer DEFAULT false NOT NULL,
	`member_count` integer DEFAULT 0 NOT NULL,
	`moderation_status` text DEFAULT 'unchecked' NOT NULL,
	`toxicity_score` real,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "fellowship_groups_group_type_check" CHECK("fellowship_groups"."group_type" IN ('interest', 'support', 'faith', 'local', 'learning', 'wellness')),
	CONSTRAINT "fellowship_groups_visibility_check" CHECK("fellowship_groups"."visibility" IN ('public', 'private', 'secret')),
	CONSTRAINT "fellowship_groups_member_count_check" CHECK("fellowship_groups"."member_count" >= 0),
	CONSTRAINT "fellowship_groups_moderation_status_check" CHECK("fellowship_groups"."moderation_status" IN ('unchecked', 'clean', 'flagged', 'hidden', 'removed')),
	CONSTRAINT "fellowship_groups_toxicity_score_check" CHECK("fellowship_groups"."toxicity_score" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE INDEX `fellowship_groups_owner_idx` ON `fellowship_groups` (`owner_id`);--> statement-breakpoint
CREATE INDEX `fellowship_groups_listed_idx` ON `fellowship_groups` (`id`) WHERE visibility <> 'secret' AND deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `fellowship_groups_listed_type_idx` ON `fellowship_groups` (`group_type`,`id`) WHERE visibility <> 'secret' AND deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `fellowship_groups_listed_popular_idx` ON `fellowship_groups` (`member_count`,`id`) WHERE visibility <> 'secret' AND deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `fellowship_groups_unchecked_idx` ON `fellowship_groups` (`id`) WHERE moderation_status = 'unchecked';--> statement-breakpoint
CREATE TABLE `group_events` (
	`id` text PRIMARY KEY NOT NULL,
	`group_id` text NOT NULL,
	`created_by` text,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`event_type` text NOT NULL,
	`starts_at` text NOT NULL,
	`ends_at` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`location` text,
	`url` text,
	`capacity` integer,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`going_count` integer DEFAULT 0 NOT NULL,
	`maybe_count` integer DEFAULT 0 NOT NULL,
	`waitlist_count` integer DEFAULT 0 NOT NULL,
	`rsvp_seq` integer DEFAULT 0 NOT NULL,
	`cancelled_at` text,
	`version` integer DEFAULT 1 NOT NULL,
	`moderation_status` text DEFAULT 'unchecked' NOT NULL,
	`toxicity_score` real,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `fellowship_groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "group_events_event_type_check" CHECK("group_events"."event_type" IN ('online', 'in_person', 'hybrid')),
	CONSTRAINT "group_events_status_check" CHECK("group_events"."status" IN ('scheduled', 'cancelled', 'completed')),
	CONSTRAINT "group_events_time_order_check" CHECK("group_events"."ends_at" > "group_events"."starts_at"),
	CONSTRAINT "group_events_capacity_check" CHECK("group_events"."capacity" BETWEEN 1 AND 100000),
	CONSTRAINT "group_events_counts_check" CHECK("group_events"."going_count" >= 0 AND "group_events"."maybe_count" >= 0 AND "group_events"."waitlist_count" >= 0),
	CONSTRAINT "group_events_cancelled_check" CHECK(("group_events"."status" = 'cancelled') = ("group_events"."cancelled_at" IS NOT NULL)),
	CONSTRAINT "group_events_moderation_status_check" CHECK("group_events"."moderation_status" IN ('unchecked', 'clean', 'flagged', 'hidden', 'removed')),
	CONSTRAINT "group_events_toxicity_score_check" CHECK("group_events"."toxicity_score" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE INDEX `group_events_group_starts_idx` ON `group_events` (`group_id`,`starts_at`,`id`);--> statement-breakpoint
CREATE INDEX `group_events_created_by_idx` ON `group_events` (`created_by`);--> statement-breakpoint
CREATE INDEX `group_events_status_starts_idx` ON `group_events` (`status`,`starts_at`);--> statement-breakpoint
CREATE INDEX `group_events_unchecked_idx` ON `group_events` (`id`) WHERE moderation_status = 'unchecked';--> statement-breakpoint
CREATE TABLE `group_members` (
	`id` text PRIMARY KEY NOT NULL,
	`group_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text DEFAULT 'member' NOT NULL,
	`status` text NOT NULL,
	`invited_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `fellowship_groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "group_members_role_check" CHECK("group_members"."role" IN ('owner', 'moderator', 'member')),
	CONSTRAINT "group_members_status_check" CHECK("group_members"."status" IN ('active', 'pending', 'invited', 'banned'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `group_members_group_user_unique` ON `group_members` (`group_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `group_members_group_status_idx` ON `group_members` (`group_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `group_members_user_status_idx` ON `group_members` (`user_id`,`status`);--> statement-breakpoint
CREATE INDEX `group_members_invited_by_idx` ON `group_members` (`invited_by`);--> statement-breakpoint
CREATE TABLE `comments` (
	`id` text PRIMARY KEY NOT NULL,
	`post_id` text NOT NULL,
	`author_id` text NOT NULL,
	`parent_id` text,
	`root_id` text,
	`depth` integer DEFAULT 0 NOT NULL,
	`body` text NOT NULL,
	`moderation_status` text DEFAULT 'unchecked' NOT NULL,
	`toxicity_score` real,
	`reaction_count` integer DEFAULT 0 NOT NULL,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`parent_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`root_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "comments_depth_check" CHECK("comments"."depth" BETWEEN 0 AND 5),
	CONSTRAINT "comments_root_depth_check" CHECK(("comments"."parent_id" IS NULL) = ("comments"."depth" = 0)),
	CONSTRAINT "comments_root_check" CHECK(("comments"."parent_id" IS NULL) = ("comments"."root_id" IS NULL)),
	CONSTRAINT "comments_reaction_count_check" CHECK("comments"."reaction_count" >= 0),
	CONSTRAINT "comments_moderation_status_check" CHECK("comments"."moderation_status" IN ('unchecked', 'clean', 'flagged', 'hidden', 'removed')),
	CONSTRAINT "comments_toxicity_score_check" CHECK("comments"."toxicity_score" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE INDEX `comments_post_parent_idx` ON `comments` (`post_id`,`parent_id`,`id`);--> statement-breakpoint
CREATE INDEX `comments_parent_idx` ON `comments` (`parent_id`);--> statement-breakpoint
CREATE INDEX `comments_root_idx` ON `comments` (`root_id`,`id`);--> statement-breakpoint
CREATE INDEX `comments_author_idx` ON `comments` (`author_id`,`id`);--> statement-breakpoint
CREATE INDEX `comments_unchecked_idx` ON `comments` (`id`) WHERE moderation_status = 'unchecked';--> statement-breakpoint
CREATE TABLE `poll_options` (
	`id` text PRIMARY KEY NOT NULL,
	`post_id` text NOT NULL,
	`position` integer NOT NULL,
	`label` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "poll_options_position_check" CHECK("poll_options"."position" BETWEEN 0 AND 5)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `poll_options_post_position_unique` ON `poll_options` (`post_id`,`position`);--> statement-breakpoint
CREATE TABLE `poll_votes` (
	`id` text PRIMARY KEY NOT NULL,
	`post_id` text NOT NULL,
	`option_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`option_id`) REFERENCES `poll_options`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `poll_votes_option_user_unique` ON `poll_votes` (`option_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `poll_votes_post_user_idx` ON `poll_votes` (`post_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `poll_votes_user_idx` ON `poll_votes` (`user_id`);--> statement-breakpoint
CREATE TABLE `posts` (
	`id` text PRIMARY KEY NOT NULL,
	`author_id` text NOT NULL,
	`type` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`visibility` text DEFAULT 'public' NOT NULL,
	`group_id` text,
	`media_urls` text DEFAULT '[]' NOT NULL,
	`milestone_habit_id` text,
	`milestone_streak` integer,
	`poll_multiple_choice` integer DEFAULT false NOT NULL,
	`poll_closes_at` text,
	`is_spiritual` integer DEFAULT false NOT NULL,
	`moderation_status` text DEFAULT 'unchecked' NOT NULL,
	`toxicity_score` real,
	`is_urgent` integer DEFAULT false NOT NULL,
	`edited_at` text,
	`deleted_at` text,
	`reaction_count` integer DEFAULT 0 NOT NULL,
	`comment_count` integer DEFAULT 0 NOT NULL,
	`hot_score` real DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`group_id`) REFERENCES `fellowship_groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`milestone_habit_id`) REFERENCES `habits`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "posts_type_check" CHECK("posts"."type" IN ('text', 'image', 'video', 'poll', 'milestone')),
	CONSTRAINT "posts_visibility_check" CHECK("posts"."visibility" IN ('public', 'connections', 'group', 'private')),
	CONSTRAINT "posts_group_visibility_check" CHECK(("posts"."visibility" = 'group') = ("posts"."group_id" IS NOT NULL)),
	CONSTRAINT "posts_poll_check" CHECK("posts"."type" = 'poll' OR "posts"."poll_closes_at" IS NULL),
	CONSTRAINT "posts_milestone_streak_check" CHECK("posts"."milestone_streak" >= 0),
	CONSTRAINT "posts_counts_check" CHECK("posts"."reaction_count" >= 0 AND "posts"."comment_count" >= 0),
	CONSTRAINT "posts_moderation_status_check" CHECK("posts"."moderation_status" IN ('unchecked', 'clean', 'flagged', 'hidden', 'removed')),
	CONSTRAINT "posts_toxicity_score_check" CHECK("posts"."toxicity_score" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE INDEX `posts_author_idx` ON `posts` (`author_id`,`id`);--> statement-breakpoint
CREATE INDEX `posts_visibility_idx` ON `posts` (`visibility`,`deleted_at`,`id`);--> statement-breakpoint
CREATE INDEX `posts_group_idx` ON `posts` (`group_id`,`id`);--> statement-breakpoint
CREATE INDEX `posts_hot_score_idx` ON `posts` (`hot_score`,`id`);--> statement-breakpoint
CREATE INDEX `posts_type_idx` ON `posts` (`type`,`id`);--> statement-breakpoint
CREATE INDEX `posts_milestone_habit_idx` ON `posts` (`milestone_habit_id`);--> statement-breakpoint
CREATE INDEX `posts_unchecked_idx` ON `posts` (`id`) WHERE moderation_status = 'unchecked';--> statement-breakpoint
CREATE TABLE `reactions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`target_author_id` text NOT NULL,
	`reaction_type` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`target_author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "reactions_target_type_check" CHECK("reactions"."target_type" IN ('post', 'comment')),
	CONSTRAINT "reactions_reaction_type_check" CHECK("reactions"."reaction_type" IN ('like', 'love', 'support', 'celebrate', 'insightful'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reactions_user_target_unique` ON `reactions` (`user_id`,`target_type`,`target_id`);--> statement-breakpoint
CREATE INDEX `reactions_target_idx` ON `reactions` (`target_type`,`target_id`,`reaction_type`);--> statement-breakpoint
CREATE INDEX `reactions_target_author_idx` ON `reactions` (`target_author_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `gardens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text DEFAULT 'My Garden' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gardens_user_unique` ON `gardens` (`user_id`);--> statement-breakpoint
CREATE TABLE `habit_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`habit_id` text NOT NULL,
	`user_id` text NOT NULL,
	`local_date` text NOT NULL,
	`count` integer DEFAULT 1 NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`habit_id`) REFERENCES `habits`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "habit_logs_count_check" CHECK("habit_logs"."count" BETWEEN 1 AND 100)
);
--> statement-breakpoint
CREATE INDEX `habit_logs_habit_date_idx` ON `habit_logs` (`habit_id`,`local_date`,`id`);--> statement-breakpoint
CREATE INDEX `habit_logs_user_date_idx` ON `habit_logs` (`user_id`,`local_date`);--> statement-breakpoint
CREATE TABLE `habits` (
	`id` text PRIMARY KEY NOT NULL,
	`garden_id` text NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`category` text NOT NULL,
	`frequency` text NOT NULL,
	`weekdays` text DEFAULT '[]' NOT NULL,
	`target_count` integer DEFAULT 1 NOT NULL,
	`reminder_time` text,
	`reminder_enabled` integer DEFAULT false NOT NULL,
	`start_date` text NOT NULL,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`garden_id`) REFERENCES `gardens`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "habits_category_check" CHECK("habits"."category" IN ('health', 'mindfulness', 'learning', 'relationships', 'creativity', 'spiritual', 'service', 'other')),
	CONSTRAINT "habits_frequency_check" CHECK("habits"."frequency" IN ('daily', 'weekdays', 'times_per_week')),
	CONSTRAINT "habits_target_count_check" CHECK("habits"."target_count" BETWEEN 1 AND 100)
);
--> statement-breakpoint
CREATE INDEX `habits_garden_idx` ON `habits` (`garden_id`);--> statement-breakpoint
CREATE INDEX `habits_user_active_idx` ON `habits` (`user_id`,`deleted_at`,`id`);--> statement-breakpoint
CREATE TABLE `appeals` (
	`id` text PRIMARY KEY NOT NULL,
	`penalty_id` text NOT NULL,
	`user_id` text NOT NULL,
	`body` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`reviewer_id` text,
	`reviewer_notes` text,
	`decided_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`penalty_id`) REFERENCES `penalties`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "appeals_status_check" CHECK("appeals"."status" IN ('pending', 'upheld', 'overturned')),
	CONSTRAINT "appeals_body_check" CHECK(length("appeals"."body") <= 2000)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `appeals_penalty_unique` ON `appeals` (`penalty_id`);--> statement-breakpoint
CREATE INDEX `appeals_user_idx` ON `appeals` (`user_id`);--> statement-breakpoint
CREATE INDEX `appeals_status_idx` ON `appeals` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `appeals_reviewer_idx` ON `appeals` (`reviewer_id`);--> statement-breakpoint
CREATE TABLE `moderation_actions` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_id` text,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`target_user_id` text,
	`reason` text DEFAULT '' NOT NULL,
	`details` text DEFAULT '{}' NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`target_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "moderation_actions_action_check" CHECK("moderation_actions"."action" IN ('dismiss', 'remove_content', 'hide_content', 'warn', 'suspend', 'lift_suspension', 'set_role', 'set_trust', 'approve_application', 'reject_application', 'uphold_appeal', 'overturn_appeal', 'delete_content', 'edit_content')),
	CONSTRAINT "moderation_actions_target_type_check" CHECK("moderation_actions"."target_type" IN ('post', 'comment', 'sunlight_share', 'support_request', 'support_response', 'project_discussion', 'chat_message', 'fellowship_group', 'group_event', 'project', 'user', 'nourishment_item', 'queue_item', 'trust_application', 'guide_application', 'penalty', 'appeal'))
);
--> statement-breakpoint
CREATE INDEX `moderation_actions_created_idx` ON `moderation_actions` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `moderation_actions_target_user_idx` ON `moderation_actions` (`target_user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `moderation_actions_actor_idx` ON `moderation_actions` (`actor_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `moderation_actions_target_idx` ON `moderation_actions` (`target_type`,`target_id`);--> statement-breakpoint
CREATE TABLE `moderation_queue_items` (
	`id` text PRIMARY KEY NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`target_author_id` text,
	`status` text DEFAULT 'open' NOT NULL,
	`score` real DEFAULT 0 NOT NULL,
	`report_count` integer DEFAULT 0 NOT NULL,
	`ml_toxicity` real,
	`ml_labels` text DEFAULT '{}' NOT NULL,
	`ml_self_harm_risk` text,
	`is_hidden` integer DEFAULT false NOT NULL,
	`is_urgent` integer DEFAULT false NOT NULL,
	`content_snapshot` text DEFAULT '{}' NOT NULL,
	`source` text NOT NULL,
	`resolved_by` text,
	`resolved_at` text,
	`decision` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`target_author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`resolved_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "moderation_queue_items_target_type_check" CHECK("moderation_queue_items"."target_type" IN ('post', 'comment', 'sunlight_share', 'support_request', 'support_response', 'project_discussion', 'chat_message', 'fellowship_group', 'group_event', 'project', 'user')),
	CONSTRAINT "moderation_queue_items_status_check" CHECK("moderation_queue_items"."status" IN ('open', 'resolved')),
	CONSTRAINT "moderation_queue_items_source_check" CHECK("moderation_queue_items"."source" IN ('reports', 'ml', 'crisis')),
	CONSTRAINT "moderation_queue_items_self_harm_check" CHECK("moderation_queue_items"."ml_self_harm_risk" IN ('none', 'low', 'high')),
	CONSTRAINT "moderation_queue_items_decision_check" CHECK("moderation_queue_items"."decision" IN ('dismiss', 'remove_content', 'warn', 'suspend')),
	CONSTRAINT "moderation_queue_items_ml_toxicity_check" CHECK("moderation_queue_items"."ml_toxicity" BETWEEN 0 AND 1),
	CONSTRAINT "moderation_queue_items_counts_check" CHECK("moderation_queue_items"."score" >= 0 AND "moderation_queue_items"."report_count" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `moderation_queue_items_target_unique` ON `moderation_queue_items` (`target_type`,`target_id`);--> statement-breakpoint
CREATE INDEX `moderation_queue_items_status_score_idx` ON `moderation_queue_items` (`status`,"score" DESC,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `moderation_queue_items_target_author_idx` ON `moderation_queue_items` (`target_author_id`,`resolved_at`);--> statement-breakpoint
CREATE INDEX `moderation_queue_items_resolved_by_idx` ON `moderation_queue_items` (`resolved_by`);--> statement-breakpoint
CREATE TABLE `penalties` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`duration` text,
	`starts_at` text NOT NULL,
	`ends_at` text,
	`reason` text DEFAULT '' NOT NULL,
	`queue_item_id` text,
	`issued_by` text,
	`lifted_at` text,
	`lifted_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`queue_item_id`) REFERENCES `moderation_queue_items`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`issued_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`lifted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "penalties_kind_check" CHECK("penalties"."kind" IN ('warning', 'suspension')),
	CONSTRAINT "penalties_duration_check" CHECK("penalties"."duration" IN ('24h', '72h', '7d', '30d', 'permanent')),
	CONSTRAINT "penalties_shape_check" CHECK(("penalties"."kind" = 'warning' AND "penalties"."duration" IS NULL AND "penalties"."ends_at" IS NULL) OR ("penalties"."kind" = 'suspension' AND "penalties"."duration" IS NOT NULL AND ("penalties"."duration" = 'permanent') = ("penalties"."ends_at" IS NULL)))
);
--> statement-breakpoint
CREATE INDEX `penalties_user_idx` ON `penalties` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `penalties_queue_item_idx` ON `penalties` (`queue_item_id`);--> statement-breakpoint
CREATE INDEX `penalties_issued_by_idx` ON `penalties` (`issued_by`);--> statement-breakpoint
CREATE INDEX `penalties_lifted_by_idx` ON `penalties` (`lifted_by`);--> statement-breakpoint
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`reporter_id` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`reason` text NOT NULL,
	`details` text DEFAULT '' NOT NULL,
	`weight` integer NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`queue_item_id` text NOT NULL,
	`resolved_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`reporter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`queue_item_id`) REFERENCES `moderation_queue_items`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "reports_target_type_check" CHECK("reports"."target_type" IN ('post', 'comment', 'sunlight_share', 'support_request', 'support_response', 'project_discussion', 'chat_message', 'fellowship_group', 'group_event', 'project', 'user')),
	CONSTRAINT "reports_reason_check" CHECK("reports"."reason" IN ('spam', 'harassment', 'hate_speech', 'self_harm', 'violence', 'sexual_content', 'misinformation', 'privacy', 'other')),
	CONSTRAINT "reports_status_check" CHECK("reports"."status" IN ('open', 'resolved', 'dismissed')),
	CONSTRAINT "reports_details_check" CHECK(length("reports"."details") <= 1000),
	CONSTRAINT "reports_weight_check" CHECK("reports"."weight" BETWEEN 1 AND 6)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reports_reporter_target_unique` ON `reports` (`reporter_id`,`target_type`,`target_id`);--> statement-breakpoint
CREATE INDEX `reports_queue_item_idx` ON `reports` (`queue_item_id`,`status`);--> statement-breakpoint
CREATE INDEX `reports_queue_item_id_idx` ON `reports` (`queue_item_id`,`id`);--> statement-breakpoint
CREATE INDEX `reports_created_reason_idx` ON `reports` (`created_at`,`reason`);--> statement-breakpoint
CREATE TABLE `nourishment_items` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`content_type` text NOT NULL,
	`category` text NOT NULL,
	`author` text,
	`source` text,
	`media_url` text,
	`publish_date` text,
	`is_spiritual` integer DEFAULT false NOT NULL,
	`created_by` text,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "nourishment_items_content_type_check" CHECK("nourishment_items"."content_type" IN ('quote', 'reflection', 'article', 'exercise', 'meditation', 'prayer', 'scripture', 'video')),
	CONSTRAINT "nourishment_items_category_check" CHECK("nourishment_items"."category" IN ('hope', 'gratitude', 'resilience', 'mindfulness', 'relationships', 'purpose', 'faith', 'health')),
	CONSTRAINT "nourishment_items_publish_date_check" CHECK("nourishment_items"."publish_date" GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')
);
--> statement-breakpoint
CREATE UNIQUE INDEX `nourishment_items_publish_date_unique` ON `nourishment_items` (`publish_date`) WHERE publish_date IS NOT NULL AND deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `nourishment_items_publish_date_idx` ON `nourishment_items` (`publish_date`,`id`);--> statement-breakpoint
CREATE INDEX `nourishment_items_category_idx` ON `nourishment_items` (`category`,`publish_date`,`id`);--> statement-breakpoint
CREATE INDEX `nourishment_items_content_type_idx` ON `nourishment_items` (`content_type`,`publish_date`,`id`);--> statement-breakpoint
CREATE INDEX `nourishment_items_created_by_idx` ON `nourishment_items` (`created_by`);--> statement-breakpoint
CREATE TABLE `blocks` (
	`id` text PRIMARY KEY NOT NULL,
	`blocker_id` text NOT NULL,
	`blocked_id` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`blocker_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`blocked_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "blocks_not_self_check" CHECK("blocks"."blocker_id" <> "blocks"."blocked_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blocks_pair_unique` ON `blocks` (`blocker_id`,`blocked_id`);--> statement-breakpoint
CREATE INDEX `blocks_blocker_idx` ON `blocks` (`blocker_id`,`id`);--> statement-breakpoint
CREATE INDEX `blocks_blocked_idx` ON `blocks` (`blocked_id`,`blocker_id`);--> statement-breakpoint
CREATE TABLE `chat_tickets` (
	`id` text PRIMARY KEY NOT NULL,
	`ticket_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`peer_id` text NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`peer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_tickets_hash_unique` ON `chat_tickets` (`ticket_hash`);--> statement-breakpoint
CREATE INDEX `chat_tickets_user_idx` ON `chat_tickets` (`user_id`);--> statement-breakpoint
CREATE INDEX `chat_tickets_peer_idx` ON `chat_tickets` (`peer_id`);--> statement-breakpoint
CREATE INDEX `chat_tickets_expires_idx` ON `chat_tickets` (`expires_at`);--> statement-breakpoint
CREATE TABLE `connections` (
	`id` text PRIMARY KEY NOT NULL,
	`requester_id` text NOT NULL,
	`addressee_id` text NOT NULL,
	`user_low_id` text NOT NULL,
	`user_high_id` text NOT NULL,
	`connection_type` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`responded_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`requester_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`addressee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "connections_connection_type_check" CHECK("connections"."connection_type" IN ('friend', 'accountability_partner', 'peer_support')),
	CONSTRAINT "connections_status_check" CHECK("connections"."status" IN ('pending', 'accepted', 'declined')),
	CONSTRAINT "connections_pair_check" CHECK("connections"."user_low_id" < "connections"."user_high_id" AND (("connections"."user_low_id" = "connections"."requester_id" AND "connections"."user_high_id" = "connections"."addressee_id") OR ("connections"."user_low_id" = "connections"."addressee_id" AND "connections"."user_high_id" = "connections"."requester_id")))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connections_pair_unique` ON `connections` (`user_low_id`,`user_high_id`);--> statement-breakpoint
CREATE INDEX `connections_user_high_idx` ON `connections` (`user_high_id`);--> statement-breakpoint
CREATE INDEX `connections_requester_idx` ON `connections` (`requester_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `connections_addressee_idx` ON `connections` (`addressee_id`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `conversation_summaries` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`user_id` text NOT NULL,
	`peer_id` text NOT NULL,
	`last_message_seq` integer DEFAULT 0 NOT NULL,
	`last_message_preview` text DEFAULT '' NOT NULL,
	`last_message_at` text,
	`last_read_seq` integer DEFAULT 0 NOT NULL,
	`unread_count` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`peer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "conversation_summaries_not_self_check" CHECK("conversation_summaries"."user_id" <> "conversation_summaries"."peer_id"),
	CONSTRAINT "conversation_summaries_counts_check" CHECK("conversation_summaries"."last_message_seq" >= 0 AND "conversation_summaries"."last_read_seq" >= 0 AND "conversation_summaries"."unread_count" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversation_summaries_conversation_user_unique` ON `conversation_summaries` (`conversation_id`,`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `conversation_summaries_user_peer_unique` ON `conversation_summaries` (`user_id`,`peer_id`);--> statement-breakpoint
CREATE INDEX `conversation_summaries_user_last_idx` ON `conversation_summaries` (`user_id`,`last_message_at`,`id`);--> statement-breakpoint
CREATE INDEX `conversation_summaries_peer_idx` ON `conversation_summaries` (`peer_id`);--> statement-breakpoint
CREATE TABLE `mentorships` (
	`id` text PRIMARY KEY NOT NULL,
	`mentee_id` text NOT NULL,
	`guide_id` text NOT NULL,
	`status` text DEFAULT 'requested' NOT NULL,
	`goals` text DEFAULT '' NOT NULL,
	`message` text DEFAULT '' NOT NULL,
	`responded_at` text,
	`completed_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`mentee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`guide_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "mentorships_status_check" CHECK("mentorships"."status" IN ('requested', 'accepted', 'declined', 'completed', 'cancelled')),
	CONSTRAINT "mentorships_not_self_check" CHECK("mentorships"."mentee_id" <> "mentorships"."guide_id")
);
--> statement-breakpoint
CREATE INDEX `mentorships_guide_status_idx` ON `mentorships` (`guide_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `mentorships_mentee_status_idx` ON `mentorships` (`mentee_id`,`status`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `mentorships_open_pair_unique` ON `mentorships` (`mentee_id`,`guide_id`) WHERE status IN ('requested', 'accepted');--> statement-breakpoint
CREATE TABLE `sunlight_reactions` (
	`id` text PRIMARY KEY NOT NULL,
	`share_id` text NOT NULL,
	`user_id` text NOT NULL,
	`reaction_type` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`share_id`) REFERENCES `sunlight_shares`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "sunlight_reactions_reaction_type_check" CHECK("sunlight_reactions"."reaction_type" IN ('sunshine', 'heart', 'celebrate', 'hug', 'inspired'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sunlight_reactions_share_user_type_unique` ON `sunlight_reactions` (`share_id`,`user_id`,`reaction_type`);--> statement-breakpoint
CREATE INDEX `sunlight_reactions_share_type_idx` ON `sunlight_reactions` (`share_id`,`reaction_type`);--> statement-breakpoint
CREATE INDEX `sunlight_reactions_user_idx` ON `sunlight_reactions` (`user_id`);--> statement-breakpoint
CREATE TABLE `sunlight_shares` (
	`id` text PRIMARY KEY NOT NULL,
	`author_id` text NOT NULL,
	`share_type` text NOT NULL,
	`body` text NOT NULL,
	`is_anonymous` integer DEFAULT false NOT NULL,
	`is_spiritual` integer DEFAULT false NOT NULL,
	`moderation_status` text DEFAULT 'unchecked' NOT NULL,
	`toxicity_score` real,
	`reaction_count` integer DEFAULT 0 NOT NULL,
	`edited_at` text,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "sunlight_shares_share_type_check" CHECK("sunlight_shares"."share_type" IN ('gratitude', 'win', 'kindness')),
	CONSTRAINT "sunlight_shares_reaction_count_check" CHECK("sunlight_shares"."reaction_count" >= 0),
	CONSTRAINT "sunlight_shares_moderation_status_check" CHECK("sunlight_shares"."moderation_status" IN ('unchecked', 'clean', 'flagged', 'hidden', 'removed')),
	CONSTRAINT "sunlight_shares_toxicity_score_check" CHECK("sunlight_shares"."toxicity_score" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE INDEX `sunlight_shares_type_idx` ON `sunlight_shares` (`share_type`,`deleted_at`,`id`);--> statement-breakpoint
CREATE INDEX `sunlight_shares_deleted_idx` ON `sunlight_shares` (`deleted_at`,`id`);--> statement-breakpoint
CREATE INDEX `sunlight_shares_author_idx` ON `sunlight_shares` (`author_id`,`id`);--> statement-breakpoint
CREATE INDEX `sunlight_shares_unchecked_idx` ON `sunlight_shares` (`id`) WHERE moderation_status = 'unchecked';--> statement-breakpoint
CREATE TABLE `support_quota` (
	`id` text PRIMARY KEY NOT NULL,
	`quota_key` text NOT NULL,
	`day` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "support_quota_day_check" CHECK("support_quota"."day" GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
	CONSTRAINT "support_quota_count_check" CHECK("support_quota"."count" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `support_quota_key_day_unique` ON `support_quota` (`quota_key`,`day`);--> statement-breakpoint
CREATE INDEX `support_quota_day_idx` ON `support_quota` (`day`);--> statement-breakpoint
CREATE TABLE `support_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`category` text NOT NULL,
	`visibility` text DEFAULT 'community' NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`is_urgent` integer DEFAULT false NOT NULL,
	`token_hash` text NOT NULL,
	`token_salt` text NOT NULL,
	`token_iterations` integer NOT NULL,
	`moderation_status` text DEFAULT 'unchecked' NOT NULL,
	`toxicity_score` real,
	`response_count` integer DEFAULT 0 NOT NULL,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "support_requests_category_check" CHECK("support_requests"."category" IN ('anxiety', 'depression', 'grief', 'relationships', 'addiction', 'faith', 'stress', 'loneliness', 'other')),
	CONSTRAINT "support_requests_visibility_check" CHECK("support_requests"."visibility" IN ('community', 'guides_only')),
	CONSTRAINT "support_requests_status_check" CHECK("support_requests"."status" IN ('open', 'responded', 'resolved', 'closed')),
	CONSTRAINT "support_requests_token_iterations_check" CHECK("support_requests"."token_iterations" BETWEEN 1 AND 100000),
	CONSTRAINT "support_requests_response_count_check" CHECK("support_requests"."response_count" >= 0),
	CONSTRAINT "support_requests_moderation_status_check" CHECK("support_requests"."moderation_status" IN ('unchecked', 'clean', 'flagged', 'hidden', 'removed')),
	CONSTRAINT "support_requests_toxicity_score_check" CHECK("support_requests"."toxicity_score" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE INDEX `support_requests_status_urgent_idx` ON `support_requests` (`status`,`is_urgent`,`id`);--> statement-breakpoint
CREATE INDEX `support_requests_active_idx` ON `support_requests` (`is_urgent`,`id`) WHERE status IN ('open', 'responded') AND deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `support_requests_active_category_idx` ON `support_requests` (`category`,`is_urgent`,`id`) WHERE status IN ('open', 'responded') AND deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `support_requests_unchecked_idx` ON `support_requests` (`id`) WHERE moderation_status = 'unchecked';--> statement-breakpoint
CREATE TABLE `support_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`responder_id` text NOT NULL,
	`is_guide_response` integer DEFAULT false NOT NULL,
	`is_helpful` integer DEFAULT false NOT NULL,
	`body` text NOT NULL,
	`moderation_status` text DEFAULT 'unchecked' NOT NULL,
	`toxicity_score` real,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `support_requests`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`responder_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "support_responses_moderation_status_check" CHECK("support_responses"."moderation_status" IN ('unchecked', 'clean', 'flagged', 'hidden', 'removed')),
	CONSTRAINT "support_responses_toxicity_score_check" CHECK("support_responses"."toxicity_score" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE INDEX `support_responses_request_idx` ON `support_responses` (`request_id`,`id`);--> statement-breakpoint
CREATE INDEX `support_responses_responder_idx` ON `support_responses` (`responder_id`,`id`);--> statement-breakpoint
CREATE INDEX `support_responses_unchecked_idx` ON `support_responses` (`id`) WHERE moderation_status = 'unchecked';--> statement-breakpoint
CREATE TABLE `project_discussions` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`author_id` text NOT NULL,
	`parent_id` text,
	`body` text NOT NULL,
	`moderation_status` text DEFAULT 'unchecked' NOT NULL,
	`toxicity_score` real,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`parent_id`) REFERENCES `project_discussions`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "project_discussions_moderation_status_check" CHECK("project_discussions"."moderation_status" IN ('unchecked', 'clean', 'flagged', 'hidden', 'removed')),
	CONSTRAINT "project_discussions_toxicity_score_check" CHECK("project_discussions"."toxicity_score" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE INDEX `project_discussions_project_parent_idx` ON `project_discussions` (`project_id`,`parent_id`,`id`);--> statement-breakpoint
CREATE INDEX `project_discussions_parent_idx` ON `project_discussions` (`parent_id`);--> statement-breakpoint
CREATE INDEX `project_discussions_author_idx` ON `project_discussions` (`author_id`);--> statement-breakpoint
CREATE INDEX `project_discussions_unchecked_idx` ON `project_discussions` (`id`) WHERE moderation_status = 'unchecked';--> statement-breakpoint
CREATE TABLE `project_members` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text DEFAULT 'member' NOT NULL,
	`status` text NOT NULL,
	`invited_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "project_members_role_check" CHECK("project_members"."role" IN ('owner', 'admin', 'member')),
	CONSTRAINT "project_members_status_check" CHECK("project_members"."status" IN ('active', 'pending', 'invited'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `project_members_project_user_unique` ON `project_members` (`project_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `project_members_project_status_idx` ON `project_members` (`project_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `project_members_user_idx` ON `project_members` (`user_id`,`status`);--> statement-breakpoint
CREATE INDEX `project_members_invited_by_idx` ON `project_members` (`invited_by`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`project_type` text NOT NULL,
	`status` text DEFAULT 'planning' NOT NULL,
	`visibility` text DEFAULT 'public' NOT NULL,
	`max_members` integer,
	`is_spiritual` integer DEFAULT false NOT NULL,
	`member_count` integer DEFAULT 0 NOT NULL,
	`moderation_status` text DEFAULT 'unchecked' NOT NULL,
	`toxicity_score` real,
	`archived_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "projects_project_type_check" CHECK("projects"."project_type" IN ('community_service', 'creative', 'learning', 'wellness', 'faith', 'other')),
	CONSTRAINT "projects_status_check" CHECK("projects"."status" IN ('planning', 'active', 'completed', 'archived')),
	CONSTRAINT "projects_visibility_check" CHECK("projects"."visibility" IN ('public', 'members_only', 'private')),
	CONSTRAINT "projects_max_members_check" CHECK("projects"."max_members" BETWEEN 1 AND 10000),
	CONSTRAINT "projects_member_count_check" CHECK("projects"."member_count" >= 0),
	CONSTRAINT "projects_moderation_status_check" CHECK("projects"."moderation_status" IN ('unchecked', 'clean', 'flagged', 'hidden', 'removed')),
	CONSTRAINT "projects_toxicity_score_check" CHECK("projects"."toxicity_score" BETWEEN 0 AND 1)
);
--> statement-breakpoint
CREATE INDEX `projects_owner_idx` ON `projects` (`owner_id`,`id`);--> statement-breakpoint
CREATE INDEX `projects_listed_idx` ON `projects` (`id`) WHERE visibility <> 'private' AND archived_at IS NULL;--> statement-breakpoint
CREATE INDEX `projects_listed_type_idx` ON `projects` (`project_type`,`id`) WHERE visibility <> 'private' AND archived_at IS NULL;--> statement-breakpoint
CREATE INDEX `projects_listed_status_idx` ON `projects` (`status`,`id`) WHERE visibility <> 'private';--> statement-breakpoint
CREATE INDEX `projects_unchecked_idx` ON `projects` (`id`) WHERE moderation_status = 'unchecked';--> statement-breakpoint
CREATE TABLE `daily_quotas` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`day` text NOT NULL,
	`kind` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "daily_quotas_kind_check" CHECK("daily_quotas"."kind" IN ('posts', 'comments', 'connection_requests', 'messages', 'reports')),
	CONSTRAINT "daily_quotas_day_check" CHECK("daily_quotas"."day" GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
	CONSTRAINT "daily_quotas_count_check" CHECK("daily_quotas"."count" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `daily_quotas_user_day_kind_unique` ON `daily_quotas` (`user_id`,`day`,`kind`);--> statement-breakpoint
CREATE INDEX `daily_quotas_day_idx` ON `daily_quotas` (`day`);--> statement-breakpoint
CREATE TABLE `guide_applications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`motivation` text NOT NULL,
	`experience` text DEFAULT '' NOT NULL,
	`specialties` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`reviewer_id` text,
	`reviewer_notes` text,
	`reviewed_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "guide_applications_status_check" CHECK("guide_applications"."status" IN ('pending', 'approved', 'rejected', 'withdrawn'))
);
--> statement-breakpoint
CREATE INDEX `guide_applications_user_idx` ON `guide_applications` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `guide_applications_status_idx` ON `guide_applications` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `guide_applications_reviewer_idx` ON `guide_applications` (`reviewer_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `guide_applications_pending_unique` ON `guide_applications` (`user_id`) WHERE status = 'pending';--> statement-breakpoint
CREATE TABLE `trust_applications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`from_level` text NOT NULL,
	`requested_level` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`statement` text DEFAULT '' NOT NULL,
	`reviewer_id` text,
	`reviewer_notes` text,
	`reviewed_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "trust_applications_from_level_check" CHECK("trust_applications"."from_level" IN ('new_sprout', 'growing', 'good_soil', 'flourishing')),
	CONSTRAINT "trust_applications_requested_level_check" CHECK("trust_applications"."requested_level" IN ('good_soil', 'flourishing')),
	CONSTRAINT "trust_applications_status_check" CHECK("trust_applications"."status" IN ('pending', 'approved', 'rejected', 'withdrawn'))
);
--> statement-breakpoint
CREATE INDEX `trust_applications_user_idx` ON `trust_applications` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `trust_applications_status_idx` ON `trust_applications` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `trust_applications_reviewer_idx` ON `trust_applications` (`reviewer_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `trust_applications_pending_unique` ON `trust_applications` (`user_id`) WHERE status = 'pending';--> statement-breakpoint
CREATE TABLE `account_erasure_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`target_id` text NOT NULL,
	`not_before` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "account_erasure_jobs_kind_check" CHECK("account_erasure_jobs"."kind" IN ('chat', 'rsvp', 'sweep'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `account_erasure_jobs_target_unique` ON `account_erasure_jobs` (`user_id`,`kind`,`target_id`);--> statement-breakpoint
CREATE INDEX `account_erasure_jobs_due_idx` ON `account_erasure_jobs` (`not_before`,`id`);--> statement-breakpoint
CREATE TABLE `guide_profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`headline` text DEFAULT '' NOT NULL,
	`specialties` text DEFAULT '[]' NOT NULL,
	`experience` text DEFAULT '' NOT NULL,
	`availability` text DEFAULT '' NOT NULL,
	`accepting_mentees` integer DEFAULT true NOT NULL,
	`max_mentees` integer DEFAULT 3 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `guide_profiles_user_unique` ON `guide_profiles` (`user_id`);--> statement-breakpoint
CREATE INDEX `guide_profiles_accepting_idx` ON `guide_profiles` (`accepting_mentees`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`auth0_sub` text NOT NULL,
	`email` text,
	`display_name` text NOT NULL,
	`bio` text DEFAULT '' NOT NULL,
	`avatar_url` text,
	`interests` text DEFAULT '[]' NOT NULL,
	`role` text DEFAULT 'user' NOT NULL,
	`trust_level` text DEFAULT 'new_sprout' NOT NULL,
	`trust_level_since` text NOT NULL,
	`trust_locked` integer DEFAULT false NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`day_start_hour` integer DEFAULT 0 NOT NULL,
	`spiritual_opt_in` integer DEFAULT false NOT NULL,
	`suspended_until` text,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "users_role_check" CHECK("users"."role" IN ('user', 'guide', 'guardian')),
	CONSTRAINT "users_trust_level_check" CHECK("users"."trust_level" IN ('new_sprout', 'growing', 'good_soil', 'flourishing')),
	CONSTRAINT "users_day_start_hour_check" CHECK("users"."day_start_hour" BETWEEN 0 AND 23)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_auth0_sub_unique` ON `users` (`auth0_sub`);--> statement-breakpoint
CREATE INDEX `users_role_idx` ON `users` (`role`);--> statement-breakpoint
CREATE INDEX `users_trust_level_idx` ON `users` (`trust_level`);--> statement-breakpoint
CREATE TABLE `content_embeddings` (
	`id` text PRIMARY KEY NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`model` text NOT NULL,
	`dims` integer NOT NULL,
	`vector` blob NOT NULL,
	`content_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "content_embeddings_target_type_check" CHECK("content_embeddings"."target_type" IN ('post', 'sunlight_share', 'fellowship_group', 'project', 'nourishment_item', 'guide_profile', 'user')),
	CONSTRAINT "content_embeddings_dims_check" CHECK("content_embeddings"."dims" BETWEEN 1 AND 4096),
	CONSTRAINT "content_embeddings_vector_length_check" CHECK(length("content_embeddings"."vector") = "content_embeddings"."dims" * 4)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `content_embeddings_target_unique` ON `content_embeddings` (`target_type`,`target_id`);--> statement-breakpoint
CREATE INDEX `content_embeddings_model_idx` ON `content_embeddings` (`target_type`,`model`);