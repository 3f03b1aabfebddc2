/**
 * @module fellowship/routes: Fellowship Groups — groups, memberships, invitations, events and RSVPs.
 * Handlers only validate, call the services and shape the answer.
 */
import { currentUser } from "../../auth/guards";
import { callerCountry } from "../../http/crisis";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { idParam } from "../../lib/schemas";
import { calendarRoutes } from "./calendar-routes";
import {
	cancelEvent,
	createEvent,
	getEvent,
	listAttendees,
	listEvents,
	setRsvp,
	updateEvent,
} from "./events";
import { createGroup, deleteGroup, getGroup, listGroups, updateGroup } from "./groups";
import { inviteToGroup, joinGroup, listMembers, removeMember, updateMember } from "./members";
import {
	AttendeeListQuery,
	AttendeePage,
	CreateEvent,
	CreateGroup,
	CreateInvitation,
	EventListQuery,
	EventPage,
	Group,
	GroupCreated,
	GroupEvent,
	GroupListQuery,
	GroupPage,
	MemberListQuery,
	MemberPage,
	Membership,
	RsvpAnswer,
	SetRsvp,
	UpdateEvent,
	UpdateGroup,
	UpdateMember,
} from "./schemas";

const tags = ["fellowship"];
const GroupParams = idParam("group_id");
const MemberParams = GroupParams.extend(idParam("user_id").shape);
const EventParams = idParam("event_id");

const groupNotFound = {
	404: problemResponse("No such group that I may know of (secret groups are 404 to non-members)."),
};
const eventNotFound = { 404: problemResponse("No such event that I may know of.") };
const notAllowed = { 403: problemResponse("Not allowed: membership, role, trust level or suspension.") };
const stateConflict = (what: string) => ({ 409: problemResponse(what) });

/** How long an anonymous answer is kept at the edge: a change shows to callers without a token within this. */
const PUBLIC_CACHE_SECONDS = 30;

const listGroupsRoute = defineRoute(
	"public",
	{
		method: "get",
		path: "/fellowship/groups",
		operationId: "listGroups",
		tags,
		summary: "Groups I may see (secret ones only to their members), filtered, searched or recommended",
		request: { query: GroupListQuery },
		responses: { 200: { description: "A page of groups.", content: jsonContent(GroupPage) } },
	},
	{ edgeCache: { seconds: PUBLIC_CACHE_SECONDS } },
);

const createGroupRoute = defineRoute(
	{ trust: "good_soil" },
	{
		method: "post",
		path: "/fellowship/groups",
		operationId: "createGroup",
		tags,
		summary: "Create a group (I become its owner)",
		request: { body: { required: true, content: jsonContent(CreateGroup) } },
		responses: { 201: { description: "The new group.", content: jsonContent(GroupCreated) } },
	},
);

const getGroupRoute = defineRoute(
	"public",
	{
		method: "get",
		path: "/fellowship/groups/{group_id}",
		operationId: "getGroup",
		tags,
		summary: "One group",
		request: { params: GroupParams },
		responses: { 200: { description: "The group.", content: jsonContent(Group) }, ...groupNotFound },
	},
	{ edgeCache: { seconds: PUBLIC_CACHE_SECONDS } },
);

const updateGroupRoute = defineRoute("user", {
	method: "patch",
	path: "/fellowship/groups/{group_id}",
	operationId: "updateGroup",
	tags,
	summary: "Edit a group (owners and moderators; only owners change visibility)",
	request: { params: GroupParams, body: { required: true, content: jsonContent(UpdateGroup) } },
	responses: { 200: { description: "The updated group.", content: jsonContent(Group) }, ...groupNotFound },
});

const deleteGroupRoute = defineRoute("user", {
	method: "delete",
	path: "/fellowship/groups/{group_id}",
	operationId: "deleteGroup",
	tags,
	summary: "Delete a group (an owner, or a guardian: audit-logged)",
	request: { params: GroupParams },
	responses: { 204: { description: "Deleted." }, ...groupNotFound },
});

const joinRoute = defineRoute("user", {
	method: "post",
	path: "/fellowship/groups/{group_id}/members",
	operationId: "joinGroup",
	tags,
	summary: "Join a public group, request to join a private one, or accept an invitation",
	description: "Secret groups are invitation only. A banned user cannot rejoin or request (403).",
	request: { params: GroupParams },
	responses: {
		201: { description: "My membership: `active` or `pending`.", content: jsonContent(Membership) },
		...groupNotFound,
		...stateConflict("Already a member, or a request is already pending."),
	},
});

const listMembersRoute = defineRoute("user", {
	method: "get",
	path: "/fellowship/groups/{group_id}/members",
	operationId: "listGroupMembers",
	tags,
	summary: "Members by status (members only for private and secret groups)",
	request: { params: GroupParams, query: MemberListQuery },
	responses: {
		200: { description: "A page of members, oldest first.", content: jsonContent(MemberPage) },
		...groupNotFound,
	},
});

const updateMemberRoute = defineRoute("user", {
	method: "patch",
	path: "/fellowship/groups/{group_id}/members/{user_id}",
	operationId: "updateGroupMember",
	tags,
	summary: "Approve a request, change a role, or ban (owners and moderators)",
	request: { params: MemberParams, body: { required: true, content: jsonContent(UpdateMember) } },
	responses: {
		200: { description: "The membership.", content: jsonContent(Membership) },
		404: problemResponse("No such group, or no such member of it."),
		...stateConflict("Not possible in the membership's state (e.g. demoting the last owner)."),
	},
});

const removeMemberRoute = defineRoute("user", {
	method: "delete",
	path: "/fellowship/groups/{group_id}/members/{user_id}",
	operationId: "removeGroupMember",
	tags,
	summary: "Leave (my own id), or remove someone (owners and moderators; removing a ban lifts it)",
	request: { params: MemberParams },
	responses: {
		204: { description: "Removed." },
		404: problemResponse("No such group, or no such member of it."),
		...stateConflict("The last owner cannot leave."),
	},
});

const inviteRoute = defineRoute("user", {
	method: "post",
	path: "/fellowship/groups/{group_id}/invitations",
	operationId: "inviteToGroup",
	tags,
	summary: "Invite someone (owners and moderators); inviting someone who requested approves them",
	request: { params: GroupParams, body: { required: true, content: jsonContent(CreateInvitation) } },
	responses: {
		201: { description: "The invitee's membership.", content: jsonContent(Membership) },
		404: problemResponse("No such group, or no such user."),
		...stateConflict("Already a member, already invited, or banned."),
	},
});

const listEventsRoute = defineRoute("user", {
	method: "get",
	path: "/fellowship/groups/{group_id}/events",
	operationId: "listGroupEvents",
	tags,
	summary: "Upcoming events (soonest first), or past ones with `past=true` (latest first)",
	request: { params: GroupParams, query: EventListQuery },
	responses: {
		200: { description: "A page of events with RSVP counts and my RSVP.", content: jsonContent(EventPage) },
		...groupNotFound,
	},
});

const createEventRoute = defineRoute("user", {
	method: "post",
	path: "/fellowship/groups/{group_id}/events",
	operationId: "createEvent",
	tags,
	summary: "Create an event (owners and moderators)",
	request: { params: GroupParams, body: { required: true, content: jsonContent(CreateEvent) } },
	responses: { 201: { description: "The new event.", content: jsonContent(GroupEvent) }, ...groupNotFound },
});

const getEventRoute = defineRoute("user", {
	method: "get",
	path: "/fellowship/events/{event_id}",
	operationId: "getEvent",
	tags,
	summary: "One event with RSVP counts, my RSVP and my waitlist position",
	request: { params: EventParams },
	responses: { 200: { description: "The event.", content: jsonContent(GroupEvent) }, ...eventNotFound },
});

const updateEventRoute = defineRoute("user", {
	method: "patch",
	path: "/fellowship/events/{event_id}",
	operationId: "updateEvent",
	tags,
	summary: "Edit an event (owners and moderators)",
	request: { params: EventParams, body: { required: true, content: jsonContent(UpdateEvent) } },
	responses: {
		200: { description: "The updated event.", content: jsonContent(GroupEvent) },
		...eventNotFound,
		...stateConflict("The event is cancelled or over."),
	},
});

const cancelEventRoute = defineRoute("user", {
	method: "post",
	path: "/fellowship/events/{event_id}/cancel",
	operationId: "cancelEvent",
	tags,
	summary: "Cancel an event (owners and moderators); cancelled is final",
	request: { params: EventParams },
	responses: {
		200: { description: "The cancelled event.", content: jsonContent(GroupEvent) },
		...eventNotFound,
		...stateConflict("The event is already cancelled or over."),
	},
});

const setRsvpRoute = defineRoute("user", {
	method: "put",
	path: "/fellowship/events/{event_id}/rsvp",
	operationId: "setEventRsvp",
	tags,
	summary: "Set my RSVP; at capacity `going` becomes `waitlisted` with a FIFO position",
	description:
		"Only active members of the group. When a going member changes their answer or leaves the group, the first waitlisted member is promoted.",
	request: { params: EventParams, body: { required: true, content: jsonContent(SetRsvp) } },
	responses: {
		200: { description: "My RSVP and the event's counts.", content: jsonContent(RsvpAnswer) },
		...eventNotFound,
		...notAllowed,
		...stateConflict("The event is cancelled or over."),
		503: problemResponse("RSVPs are briefly unavailable; retry (the request is idempotent)."),
	},
});

const listRsvpsRoute = defineRoute("user", {
	method: "get",
	path: "/fellowship/events/{event_id}/rsvps",
	operationId: "listEventRsvps",
	tags,
	summary: "Attendees by status (the waitlist in FIFO order)",
	request: { params: EventParams, query: AttendeeListQuery },
	responses: {
		200: { description: "A page of attendees.", content: jsonContent(AttendeePage) },
		...eventNotFound,
	},
});

export const fellowshipRoutes = createRouter()
	// First: its `/fellowship/events/{event_id}.ics` must be matched before `/fellowship/events/{event_id}`.
	.route("/", calendarRoutes)
	.openapi(listGroupsRoute, async (c) => {
		const page = await listGroups(c.var.db, c.env, c.get("user"), c.req.valid("query"));
		return c.json(page, 200);
	})
	.openapi(createGroupRoute, async (c) => {
		const group = await createGroup(c.var.db, c.env, callerCountry(c), currentUser(c), c.req.valid("json"));
		return c.json(group, 201);
	})
	.openapi(getGroupRoute, async (c) => {
		return c.json(await getGroup(c.var.db, c.get("user"), c.req.valid("param").group_id), 200);
	})
	.openapi(updateGroupRoute, async (c) => {
		const { group_id } = c.req.valid("param");
		const group = await updateGroup(c.var.db, c.env, currentUser(c), group_id, c.req.valid("json"));
		return c.json(group, 200);
	})
	.openapi(deleteGroupRoute, async (c) => {
		await deleteGroup(c.var.db, currentUser(c), c.req.valid("param").group_id);
		return c.body(null, 204);
	})
	.openapi(joinRoute, async (c) => {
		const membership = await joinGroup(c.var.db, currentUser(c), c.req.valid("param").group_id);
		return c.json(membership, 201);
	})
	.openapi(listMembersRoute, async (c) => {
		const { group_id } = c.req.valid("param");
		const page = await listMembers(c.var.db, currentUser(c), group_id, c.req.valid("query"));
		return c.json(page, 200);
	})
	.openapi(updateMemberRoute, async (c) => {
		const { group_id, user_id } = c.req.valid("param");
		const membership = await updateMember(
			c.var.db,
			c.env,
			currentUser(c),
			group_id,
			user_id,
			c.req.valid("json"),
		);
		return c.json(membership, 200);
	})
	.openapi(removeMemberRoute, async (c) => {
		const { group_id, user_id } = c.req.valid("param");
		await removeMember(c.var.db, c.env, currentUser(c), group_id, user_id);
		return c.body(null, 204);
	})
	.openapi(inviteRoute, async (c) => {
		const { group_id } = c.req.valid("param");
		const membership = await inviteToGroup(c.var.db, currentUser(c), group_id, c.req.valid("json").user_id);
		return c.json(membership, 201);
	})
	.openapi(listEventsRoute, async (c) => {
		const { group_id } = c.req.valid("param");
		const page = await listEvents(c.var.db, currentUser(c), group_id, c.req.valid("query"));
		return c.json(page, 200);
	})
	.openapi(createEventRoute, async (c) => {
		const { group_id } = c.req.valid("param");
		const event = await createEvent(c.var.db, c.env, currentUser(c), group_id, c.req.valid("json"));
		return c.json(event, 201);
	})
	.openapi(getEventRoute, async (c) => {
		const event = await getEvent(c.var.db, c.env, currentUser(c), c.req.valid("param").event_id);
		return c.json(event, 200);
	})
	.openapi(updateEventRoute, async (c) => {
		const { event_id } = c.req.valid("param");
		const event = await updateEvent(c.var.db, c.env, currentUser(c), event_id, c.req.valid("json"));
		return c.json(event, 200);
	})
	.openapi(cancelEventRoute, async (c) => {
		const event = await cancelEvent(c.var.db, c.env, currentUser(c), c.req.valid("param").event_id);
		return c.json(event, 200);
	})
	.openapi(setRsvpRoute, async (c) => {
		const { event_id } = c.req.valid("param");
		const answer = await setRsvp(c.var.db, c.env, currentUser(c), event_id, c.req.valid("json").status);
		return c.json(answer, 200);
	})
	.openapi(listRsvpsRoute, async (c) => {
		const { event_id } = c.req.valid("param");
		const page = await listAttendees(c.var.db, currentUser(c), event_id, c.req.valid("query"));
		return c.json(page, 200);
	});
