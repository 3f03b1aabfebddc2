/**
 * @module teamup/routes: Team Up — projects, their members and invitations, and threaded discussions.
 * Handlers only validate, call the services and shape the answer.
 */
import { currentUser } from "../../auth/guards";
import { callerCountry } from "../../http/crisis";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { idParam } from "../../lib/schemas";
import { createDiscussion, listDiscussions } from "./discussions";
import {
	inviteToProject,
	joinProject,
	listProjectMembers,
	removeProjectMember,
	updateProjectMember,
} from "./members";
import { archiveProject, createProject, getProject, listProjects, updateProject } from "./projects";
import {
	CreateDiscussion,
	CreateProject,
	DiscussionCreated,
	DiscussionListQuery,
	DiscussionPage,
	ProjectCreated,
	ProjectDetail,
	ProjectInvitation,
	ProjectListQuery,
	ProjectMemberListQuery,
	ProjectMemberPage,
	ProjectMembership,
	ProjectPage,
	UpdateProject,
	UpdateProjectMember,
} from "./schemas";

const tags = ["teamup"];
const ProjectParams = idParam("project_id");
const MemberParams = ProjectParams.extend(idParam("user_id").shape);

const projectNotFound = {
	404: problemResponse("No such project that I may know of (private projects are 404 to non-members)."),
};
const memberNotFound = { 404: problemResponse("No such project, or no such member of it.") };
const stateConflict = (what: string) => ({ 409: problemResponse(what) });

/** How long an anonymous answer is kept at the edge: a change shows to callers without a token within this. */
const PUBLIC_CACHE_SECONDS = 30;

const listRoute = defineRoute(
	"public",
	{
		method: "get",
		path: "/teamup/projects",
		operationId: "listProjects",
		tags,
		summary: "Projects I may see, newest first; filters `project_type`, `status`, `q`",
		request: { query: ProjectListQuery },
		responses: { 200: { description: "A page of projects.", content: jsonContent(ProjectPage) } },
	},
	{ edgeCache: { seconds: PUBLIC_CACHE_SECONDS } },
);

const createRoute = defineRoute(
	{ trust: "growing" },
	{
		method: "post",
		path: "/teamup/projects",
		operationId: "createProject",
		tags,
		summary: "Create a project (I become its owner)",
		request: { body: { required: true, content: jsonContent(CreateProject) } },
		responses: { 201: { description: "The new project.", content: jsonContent(ProjectCreated) } },
	},
);

const getRoute = defineRoute(
	"public",
	{
		method: "get",
		path: "/teamup/projects/{project_id}",
		operationId: "getProject",
		tags,
		summary: "One project with its members",
		request: { params: ProjectParams },
		responses: {
			200: { description: "The project.", content: jsonContent(ProjectDetail) },
			...projectNotFound,
		},
	},
	{ edgeCache: { seconds: PUBLIC_CACHE_SECONDS } },
);

const updateRoute = defineRoute("user", {
	method: "patch",
	path: "/teamup/projects/{project_id}",
	operationId: "updateProject",
	tags,
	summary: "Edit a project (owners and admins; only owners change visibility)",
	request: { params: ProjectParams, body: { required: true, content: jsonContent(UpdateProject) } },
	responses: {
		200: { description: "The updated project.", content: jsonContent(ProjectDetail) },
		...projectNotFound,
		...stateConflict("Archived, or `max_members` below the current member count."),
	},
});

const deleteRoute = defineRoute("user", {
	method: "delete",
	path: "/teamup/projects/{project_id}",
	operationId: "deleteProject",
	tags,
	summary: "Delete a project: it is archived, read-only (an owner, or a guardian: audit-logged)",
	request: { params: ProjectParams },
	responses: { 204: { description: "Archived." }, ...projectNotFound },
});

const joinRoute = defineRoute("user", {
	method: "post",
	path: "/teamup/projects/{project_id}/members",
	operationId: "joinProject",
	tags,
	summary: "Join a public project, request to join a members_only one, or accept an invitation",
	description: "Private projects are invitation only. `max_members` holds under concurrent joins.",
	request: { params: ProjectParams },
	responses: {
		201: { description: "My membership: `active` or `pending`.", content: jsonContent(ProjectMembership) },
		...projectNotFound,
		...stateConflict("Already a member, a request is pending, the project is full, or archived."),
	},
});

const listMembersRoute = defineRoute("user", {
	method: "get",
	path: "/teamup/projects/{project_id}/members",
	operationId: "listProjectMembers",
	tags,
	summary: "Members by status, oldest first (members only unless public)",
	request: { params: ProjectParams, query: ProjectMemberListQuery },
	responses: {
		200: { description: "A page of members.", content: jsonContent(ProjectMemberPage) },
		...projectNotFound,
	},
});

const updateMemberRoute = defineRoute("user", {
	method: "patch",
	path: "/teamup/projects/{project_id}/members/{user_id}",
	operationId: "updateProjectMember",
	tags,
	summary: "Approve a request and/or change a role (owners and admins)",
	request: { params: MemberParams, body: { required: true, content: jsonContent(UpdateProjectMember) } },
	responses: {
		200: { description: "The membership.", content: jsonContent(ProjectMembership) },
		...memberNotFound,
		...stateConflict("Full, archived, or demoting the last owner."),
	},
});

const removeMemberRoute = defineRoute("user", {
	method: "delete",
	path: "/teamup/projects/{project_id}/members/{user_id}",
	operationId: "removeProjectMember",
	tags,
	summary: "Leave (my own id), or remove someone (owners and admins); the last owner cannot leave",
	request: { params: MemberParams },
	responses: {
		204: { description: "Removed." },
		...memberNotFound,
		...stateConflict("The last owner cannot leave."),
	},
});

const inviteRoute = defineRoute("user", {
	method: "post",
	path: "/teamup/projects/{project_id}/invitations",
	operationId: "inviteToProject",
	tags,
	summary: "Invite someone (owners and admins); inviting someone who requested approves them",
	request: { params: ProjectParams, body: { required: true, content: jsonContent(ProjectInvitation) } },
	responses: {
		201: { description: "The invitee's membership.", content: jsonContent(ProjectMembership) },
		404: problemResponse("No such project, or no such user."),
		...stateConflict("Already a member or invited, full, or archived."),
	},
});

const listDiscussionsRoute = defineRoute("user", {
	method: "get",
	path: "/teamup/projects/{project_id}/discussions",
	operationId: "listProjectDiscussions",
	tags,
	summary: "Threads (newest first), or the replies to one message with `parent_id` (oldest first)",
	request: { params: ProjectParams, query: DiscussionListQuery },
	responses: {
		200: { description: "A page of messages with reply counts.", content: jsonContent(DiscussionPage) },
		404: problemResponse("No such project, or no such message to list replies of."),
	},
});

const createDiscussionRoute = defineRoute("user", {
	method: "post",
	path: "/teamup/projects/{project_id}/discussions",
	operationId: "createProjectDiscussion",
	tags,
	summary: "Post a thread or a reply (`parent_id`); active members only",
	request: { params: ProjectParams, body: { required: true, content: jsonContent(CreateDiscussion) } },
	responses: {
		201: { description: "The new message.", content: jsonContent(DiscussionCreated) },
		404: problemResponse("No such project, or no such message to reply to."),
		...stateConflict("The project is archived."),
		429: problemResponse("The daily comments limit is spent."),
	},
});

export const teamupRoutes = createRouter()
	.openapi(listRoute, async (c) => {
		return c.json(await listProjects(c.var.db, c.get("user"), c.req.valid("query")), 200);
	})
	.openapi(createRoute, async (c) => {
		const project = await createProject(
			c.var.db,
			c.env,
			callerCountry(c),
			currentUser(c),
			c.req.valid("json"),
		);
		return c.json(project, 201);
	})
	.openapi(getRoute, async (c) => {
		return c.json(await getProject(c.var.db, c.get("user"), c.req.valid("param").project_id), 200);
	})
	.openapi(updateRoute, async (c) => {
		const { project_id } = c.req.valid("param");
		const project = await updateProject(c.var.db, c.env, currentUser(c), project_id, c.req.valid("json"));
		return c.json(project, 200);
	})
	.openapi(deleteRoute, async (c) => {
		await archiveProject(c.var.db, currentUser(c), c.req.valid("param").project_id);
		return c.body(null, 204);
	})
	.openapi(joinRoute, async (c) => {
		const membership = await joinProject(c.var.db, currentUser(c), c.req.valid("param").project_id);
		return c.json(membership, 201);
	})
	.openapi(listMembersRoute, async (c) => {
		const { project_id } = c.req.valid("param");
		const page = await listProjectMembers(c.var.db, currentUser(c), project_id, c.req.valid("query"));
		return c.json(page, 200);
	})
	.openapi(updateMemberRoute, async (c) => {
		const { project_id, user_id } = c.req.valid("param");
		const membership = await updateProjectMember(
			c.var.db,
			currentUser(c),
			project_id,
			user_id,
			c.req.valid("json"),
		);
		return c.json(membership, 200);
	})
	.openapi(removeMemberRoute, async (c) => {
		const { project_id, user_id } = c.req.valid("param");
		await removeProjectMember(c.var.db, currentUser(c), project_id, user_id);
		return c.body(null, 204);
	})
	.openapi(inviteRoute, async (c) => {
		const { project_id } = c.req.valid("param");
		const membership = await inviteToProject(
			c.var.db,
			currentUser(c),
			project_id,
			c.req.valid("json").user_id,
		);
		return c.json(membership, 201);
	})
	.openapi(listDiscussionsRoute, async (c) => {
		const { project_id } = c.req.valid("param");
		const page = await listDiscussions(c.var.db, currentUser(c), project_id, c.req.valid("query"));
		return c.json(page, 200);
	})
	.openapi(createDiscussionRoute, async (c) => {
		const { project_id } = c.req.valid("param");
		const message = await createDiscussion(
			c.var.db,
			c.env,
			callerCountry(c),
			currentUser(c),
			project_id,
			c.req.valid("json"),
		);
		return c.json(message, 201);
	});
