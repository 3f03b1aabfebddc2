/** @module db/tables/teamup: collaborative projects, their members and discussion threads. */
import { sql } from "drizzle-orm";
import {
	type AnySQLiteColumn,
	check,
	index,
	integer,
	sqliteTable,
	text,
	uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { bool, deletedAt, enumCheck, id, timestamps } from "../columns";
import { defineContent } from "../content";
import { moderation, moderationExtras } from "./shared";
import { users } from "./users";

export const PROJECT_TYPES = [
	"community_service",
	"creative",
	"learning",
	"wellness",
	"faith",
	"other",
] as const;
export const PROJECT_STATUSES = ["planning", "active", "completed", "archived"] as const;
/** `public` listed, join at once; `members_only` listed, join by request; `private` unlisted, invite only. */
export const PROJECT_VISIBILITIES = ["public", "members_only", "private"] as const;
export const PROJECT_ROLES = ["owner", "admin", "member"] as const;
export const PROJECT_MEMBER_STATUSES = ["active", "pending", "invited"] as const;

/** Listed (not private) and not archived: the default project list. */
export const LISTED_PROJECT = sql`visibility <> 'private' AND archived_at IS NULL`;
/** Listed, any status (archived included): the list filtered by `status`. */
export const LISTED_ANY_STATUS = sql`visibility <> 'private'`;

export const projects = sqliteTable(
	"projects",
	{
		id: id(),
		/** The creator. Who may manage the project is `project_members.role`, not this column. */
		ownerId: text("owner_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		title: text("title").notNull(),
		description: text("description").notNull().default(""),
		projectType: text("project_type", { enum: PROJECT_TYPES }).notNull(),
		status: text("status", { enum: PROJECT_STATUSES }).notNull().default("planning"),
		visibility: text("visibility", { enum: PROJECT_VISIBILITIES }).notNull().default("public"),
		/** Cap on active members; null = unlimited. */
		maxMembers: integer("max_members"),
		isSpiritual: bool("is_spiritual").notNull().default(false),
		/** Active members only; kept in step with `project_members` in the same batch. */
		memberCount: integer("member_count").notNull().default(0),
		...moderation(),
		/** Set when the owner deletes (archives) the project; status becomes `archived`. */
		archivedAt: text("archived_at"),
		...timestamps(),
	},
	(t) => [
		index("projects_owner_idx").on(t.ownerId, t.id),
		// Listed projects (public and members_only) in list order. Queries repeat the partial-index
		// conditions word for word so SQLite can use these indexes.
		index("projects_listed_idx").on(t.id).where(LISTED_PROJECT),
		index("projects_listed_type_idx").on(t.projectType, t.id).where(LISTED_PROJECT),
		index("projects_listed_status_idx").on(t.status, t.id).where(LISTED_ANY_STATUS),
		enumCheck("projects_project_type_check", t.projectType, PROJECT_TYPES),
		enumCheck("projects_status_check", t.status, PROJECT_STATUSES),
		enumCheck("projects_visibility_check", t.visibility, PROJECT_VISIBILITIES),
		check("projects_max_members_check", sql`${t.maxMembers} BETWEEN 1 AND 10000`),
		check("projects_member_count_check", sql`${t.memberCount} >= 0`),
		...moderationExtras("projects", t),
	],
);

export const projectMembers = sqliteTable(
	"project_members",
	{
		id: id(),
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		role: text("role", { enum: PROJECT_ROLES }).notNull().default("member"),
		status: text("status", { enum: PROJECT_MEMBER_STATUSES }).notNull(),
		/** Who invited (status `invited`, private projects); null for joins and requests. */
		invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("project_members_project_user_unique").on(t.projectId, t.userId),
		index("project_members_project_status_idx").on(t.projectId, t.status, t.id),
		index("project_members_user_idx").on(t.userId, t.status),
		index("project_members_invited_by_idx").on(t.invitedBy),
		enumCheck("project_members_role_check", t.role, PROJECT_ROLES),
		enumCheck("project_members_status_check", t.status, PROJECT_MEMBER_STATUSES),
	],
);

export const projectDiscussions = sqliteTable(
	"project_discussions",
	{
		id: id(),
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		authorId: text("author_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** Null for a thread starter; otherwise the message replied to. */
		parentId: text("parent_id").references((): AnySQLiteColumn => projectDiscussions.id, {
			onDelete: "cascade",
		}),
		body: text("body").notNull(),
		...moderation(),
		deletedAt: deletedAt(),
		...timestamps(),
	},
	(t) => [
		index("project_discussions_project_parent_idx").on(t.projectId, t.parentId, t.id),
		index("project_discussions_parent_idx").on(t.parentId),
		index("project_discussions_author_idx").on(t.authorId),
		...moderationExtras("project_discussions", t),
	],
);

export type ProjectRow = typeof projects.$inferSelect;
export type ProjectMemberRow = typeof projectMembers.$inferSelect;
export type ProjectDiscussionRow = typeof projectDiscussions.$inferSelect;

export const projectContent = defineContent({
	type: "project",
	table: projects,
	author: projects.ownerId,
	text: [projects.title, projects.description],
	snapshot: [
		projects.title,
		projects.description,
		projects.projectType,
		projects.status,
		projects.visibility,
		projects.isSpiritual,
	],
	erasure: "keep",
});

/** Project discussions: kept when their author leaves (the thread keeps the replies written under them). */
export const projectDiscussionContent = defineContent({
	type: "project_discussion",
	table: projectDiscussions,
	author: projectDiscussions.authorId,
	deletedAt: projectDiscussions.deletedAt,
	text: [projectDiscussions.body],
	snapshot: [
		projectDiscussions.projectId,
		projectDiscussions.parentId,
		projectDiscussions.body,
		projectDiscussions.createdAt,
	],
	erasure: "keep",
});
