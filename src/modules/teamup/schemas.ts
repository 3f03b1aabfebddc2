/** @module teamup/schemas: projects, their members and discussions on the wire. */

import { z } from "@hono/zod-openapi";
import { contributorIdSchema } from "../../core/authors";
import { CrisisResource } from "../../core/moderation/crisis";
import {
	PROJECT_MEMBER_STATUSES,
	PROJECT_ROLES,
	PROJECT_STATUSES,
	PROJECT_TYPES,
	PROJECT_VISIBILITIES,
} from "../../db/tables/teamup";
import { PageQuery, pageOf } from "../../lib/pagination";
import { boundedText, IsoTimestamp, Uuid } from "../../lib/schemas";

export const MAX_PROJECT_MEMBERS = 10_000;
/** How many active members a project's detail shows (the rest through the members list). */
export const DETAIL_MEMBERS = 50;
/** Statuses an owner or admin sets; `archived` comes only from deleting the project. */
export const SETTABLE_PROJECT_STATUSES = ["planning", "active", "completed"] as const;

const projectFields = {
	title: boundedText(3, 120),
	description: z.string().trim().max(5000),
	project_type: z.enum(PROJECT_TYPES),
	status: z.enum(SETTABLE_PROJECT_STATUSES),
	visibility: z.enum(PROJECT_VISIBILITIES).openapi({
		description:
			"`public`: listed, anyone joins at once, discussions readable by every signed-in user. `members_only`: listed, joining is by request; discussions for members. `private`: unlisted and invite only; 404 to everyone else.",
	}),
	max_members: z.number().int().min(1).max(MAX_PROJECT_MEMBERS).nullable().openapi({
		description: "Cap on active members; null = unlimited.",
	}),
	is_spiritual: z.boolean(),
};

export const CreateProject = z
	.strictObject({
		...projectFields,
		description: projectFields.description.default(""),
		status: projectFields.status.default("planning"),
		visibility: projectFields.visibility.default("public"),
		max_members: projectFields.max_members.default(null),
		is_spiritual: projectFields.is_spiritual.default(false),
	})
	.openapi("CreateProject");

export const UpdateProject = z
	.strictObject(projectFields)
	.partial()
	.refine((body) => Object.keys(body).length > 0, "send at least one field to change")
	.openapi("UpdateProject", {
		description: "Any subset (owners and admins; only owners change `visibility`).",
	});

export const PublicUser = z
	.object({ id: Uuid, display_name: z.string(), avatar_url: z.string().nullable() })
	.openapi("ProjectUser");

export const ProjectMember = z
	.object({
		user: PublicUser,
		role: z.enum(PROJECT_ROLES),
		status: z.enum(PROJECT_MEMBER_STATUSES),
		invited_by: Uuid.nullable(),
		since: IsoTimestamp,
		updated_at: IsoTimestamp,
	})
	.openapi("ProjectMember");

export const ProjectMembership = z
	.object({
		project_id: Uuid,
		user_id: Uuid,
		role: z.enum(PROJECT_ROLES),
		status: z.enum(PROJECT_MEMBER_STATUSES),
		invited_by: Uuid.nullable(),
		updated_at: IsoTimestamp,
	})
	.openapi("ProjectMembership");

export const Project = z
	.object({
		id: Uuid,
		title: z.string(),
		description: z.string(),
		project_type: z.enum(PROJECT_TYPES),
		status: z.enum(PROJECT_STATUSES),
		visibility: z.enum(PROJECT_VISIBILITIES),
		max_members: z.number().int().nullable(),
		member_count: z.number().int(),
		is_spiritual: z.boolean(),
		created_by: Uuid,
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp,
		archived_at: IsoTimestamp.nullable(),
		my_membership: z
			.object({ role: z.enum(PROJECT_ROLES), status: z.enum(PROJECT_MEMBER_STATUSES) })
			.nullable(),
		pending_review: z.boolean(),
	})
	.openapi("Project");

export const ProjectDetail = Project.extend({
	members: z
		.array(ProjectMember)
		.nullable()
		.openapi({
			description: `Up to ${DETAIL_MEMBERS} active members, oldest first; null when I may not see them (members only unless public).`,
		}),
	members_truncated: z.boolean(),
}).openapi("ProjectDetail");

export const ProjectCreated = ProjectDetail.extend({
	crisis_resources: z.array(CrisisResource).optional(),
}).openapi("ProjectCreated");

export const ProjectListQuery = PageQuery.extend({
	project_type: z.enum(PROJECT_TYPES).optional(),
	status: z.enum(PROJECT_STATUSES).optional().openapi({
		description: "Default: every status but `archived`.",
	}),
	q: z
		.string()
		.trim()
		.min(1)
		.max(100)
		.optional()
		.openapi({ description: "Words in the title or description." }),
	member: z.enum(["me"]).optional().openapi({
		description:
			"`me`: only the projects I am an active member of (any role), private ones included. Needs a token: 401 without one.",
	}),
});

export const ProjectPage = pageOf(Project, "ProjectPage");

export const ProjectMemberListQuery = PageQuery.extend({
	status: z.enum(PROJECT_MEMBER_STATUSES).default("active").openapi({
		description: "Only owners and admins may list `pending` or `invited` members.",
	}),
});

export const ProjectMemberPage = pageOf(ProjectMember, "ProjectMemberPage");

export const ProjectInvitation = z.strictObject({ user_id: Uuid }).openapi("CreateProjectInvitation");

export const UpdateProjectMember = z
	.strictObject({
		status: z.literal("active").optional().openapi({ description: "`active` approves a pending request." }),
		role: z.enum(PROJECT_ROLES).optional(),
	})
	.refine((body) => body.status !== undefined || body.role !== undefined, "send `status` or `role`")
	.openapi("UpdateProjectMember");

export const Discussion = z
	.object({
		id: Uuid,
		project_id: Uuid,
		parent_id: Uuid.nullable(),
		author: PublicUser.extend({ id: contributorIdSchema }).openapi("DiscussionAuthor"),
		body: z.string(),
		reply_count: z.number().int(),
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp,
		pending_review: z.boolean(),
	})
	.openapi("ProjectDiscussion");

export const DiscussionCreated = Discussion.extend({
	crisis_resources: z.array(CrisisResource).optional(),
}).openapi("ProjectDiscussionCreated");

export const CreateDiscussion = z
	.strictObject({
		body: boundedText(1, 5000),
		parent_id: Uuid.optional().openapi({ description: "Reply to this message of the same project." }),
	})
	.openapi("CreateProjectDiscussion");

export const DiscussionListQuery = PageQuery.extend({
	parent_id: Uuid.optional().openapi({
		description: "The replies to this message (oldest first). Without it: the threads (newest first).",
	}),
});

export const DiscussionPage = pageOf(Discussion, "ProjectDiscussionPage");
