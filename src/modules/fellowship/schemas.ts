/** @module fellowship/schemas: groups, memberships, events and RSVPs on the wire. */
import { z } from "@hono/zod-openapi";
import { RSVP_CHOICES } from "../../../durable-objects/rsvp-contract";
import { CreatorSchema } from "../../core/authors";
import { CrisisResource } from "../../core/moderation/crisis";
import {
	EVENT_STATUSES,
	EVENT_TYPES,
	GROUP_MEMBER_ROLES,
	GROUP_MEMBER_STATUSES,
	GROUP_TYPES,
	GROUP_VISIBILITIES,
	RSVP_STATUSES,
} from "../../db/tables/fellowship";
import { PageQuery, pageOf } from "../../lib/pagination";
import { boundedText, HttpsUrl, IsoTimestamp, TimeZone, Uuid } from "../../lib/schemas";

/** An event lasts at most this long (so "upcoming" lists only ever step over this window of past starts). */
export const MAX_EVENT_DAYS = 14;
/** Events are planned at most this far ahead. */
export const MAX_EVENT_LEAD_DAYS = 730;
export const MAX_CAPACITY = 100_000;
/** `sort=recommended` ranks at most this many candidates (one page of up to 100). */
export const RECOMMENDED_CANDIDATES = 100;

const Instant = z.iso
	.datetime({
		offset: true,
		message: "must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T18:00:00Z",
	})
	.transform((value) => new Date(value).toISOString())
	.openapi({ format: "date-time", example: "2026-12-01T18:00:00.000Z" });

const SearchText = z.string().trim().min(1).max(100);

// ─── groups ───────────────────────────────────────────────────────────────────────────────────────

const groupFields = {
	name: boundedText(3, 80),
	description: z.string().trim().max(2000),
	group_type: z.enum(GROUP_TYPES),
	visibility: z.enum(GROUP_VISIBILITIES).openapi({
		description:
			"`public`: listed, anyone joins at once. `private`: listed, joining is by request approved by an owner or moderator; content is for members. `secret`: unlisted and invite only; non-members get 404 everywhere.",
	}),
	is_spiritual: z.boolean(),
};

export const CreateGroup = z
	.strictObject({
		...groupFields,
		description: groupFields.description.default(""),
		visibility: groupFields.visibility.default("public"),
		is_spiritual: groupFields.is_spiritual.default(false),
	})
	.openapi("CreateGroup");

export const UpdateGroup = z
	.strictObject(groupFields)
	.partial()
	.refine((body) => Object.keys(body).length > 0, "send at least one field to change")
	.openapi("UpdateGroup", { description: "Any subset of the fields. Only owners change `visibility`." });

export const MyMembership = z
	.object({ role: z.enum(GROUP_MEMBER_ROLES), status: z.enum(GROUP_MEMBER_STATUSES) })
	.openapi("MyGroupMembership");

export const Group = z
	.object({
		id: Uuid,
		name: z.string(),
		description: z.string(),
		group_type: z.enum(GROUP_TYPES),
		visibility: z.enum(GROUP_VISIBILITIES),
		is_spiritual: z.boolean(),
		member_count: z.number().int(),
		created_by: CreatorSchema,
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp,
		my_membership: MyMembership.nullable().openapi({ description: "Null when I have no membership row." }),
		pending_review: z.boolean().openapi({
			description: "True when moderation hid the group; only its managers and guardians still see it.",
		}),
	})
	.openapi("Group");

export const GroupCreated = Group.extend({
	crisis_resources: z.array(CrisisResource).optional(),
}).openapi("GroupCreated");

export const GROUP_SORTS = ["newest", "popular", "recommended"] as const;

export const GroupListQuery = PageQuery.extend({
	group_type: z.enum(GROUP_TYPES).optional(),
	q: SearchText.optional().openapi({ description: "Words in the name or description." }),
	sort: z.enum(GROUP_SORTS).default("newest").openapi({
		description:
			"`newest` (default), `popular` (most members), or `recommended` (ranked by similarity to my interests and bio; falls back to `popular` when that is not possible).",
	}),
	member: z.enum(["me"]).optional().openapi({
		description:
			"`me`: only the groups I am an active member of (any role), secret ones included; not with `sort=recommended` (which lists groups I have not joined). Needs a token: 401 without one.",
	}),
});

export const GroupPage = pageOf(Group, "GroupPage");

// ─── members ──────────────────────────────────────────────────────────────────────────────────────

export const PublicUser = z
	.object({ id: Uuid, display_name: z.string(), avatar_url: z.string().nullable() })
	.openapi("PublicUser");

export const Member = z
	.object({
		user: PublicUser,
		role: z.enum(GROUP_MEMBER_ROLES),
		status: z.enum(GROUP_MEMBER_STATUSES),
		invited_by: Uuid.nullable(),
		since: IsoTimestamp.openapi({ description: "When the membership row was created." }),
		updated_at: IsoTimestamp,
	})
	.openapi("GroupMember");

export const Membership = z
	.object({
		group_id: Uuid,
		user_id: Uuid,
		role: z.enum(GROUP_MEMBER_ROLES),
		status: z.enum(GROUP_MEMBER_STATUSES),
		invited_by: Uuid.nullable(),
		updated_at: IsoTimestamp,
	})
	.openapi("GroupMembership");

export const MemberListQuery = PageQuery.extend({
	status: z.enum(GROUP_MEMBER_STATUSES).default("active").openapi({
		description: "Only owners and moderators may list `pending`, `invited` or `banned` members.",
	}),
});

export const MemberPage = pageOf(Member, "GroupMemberPage");

export const UpdateMember = z
	.strictObject({
		status: z.enum(["active", "banned"]).optional().openapi({
			description:
				"`active` approves a pending request; `banned` bans (a banned user cannot rejoin or request).",
		}),
		role: z.enum(GROUP_MEMBER_ROLES).optional(),
	})
	.refine((body) => body.status !== undefined || body.role !== undefined, "send `status` or `role`")
	.openapi("UpdateGroupMember");

export const CreateInvitation = z.strictObject({ user_id: Uuid }).openapi("CreateGroupInvitation");

// ─── events ───────────────────────────────────────────────────────────────────────────────────────

const eventFields = {
	title: boundedText(3, 120),
	description: z.string().trim().max(5000),
	event_type: z.enum(EVENT_TYPES),
	starts_at: Instant,
	ends_at: Instant,
	timezone: TimeZone,
	location: boundedText(1, 300).nullable().openapi({ description: "Required for in_person and hybrid." }),
	url: HttpsUrl.nullable().openapi({ description: "Join link; required for online and hybrid." }),
	capacity: z.number().int().min(1).max(MAX_CAPACITY).nullable().openapi({
		description: "Maximum `going`; null = unlimited. Further `going` RSVPs join a FIFO waitlist.",
	}),
};

export const CreateEvent = z
	.strictObject({
		...eventFields,
		description: eventFields.description.default(""),
		timezone: eventFields.timezone.default("UTC"),
		location: eventFields.location.default(null),
		url: eventFields.url.default(null),
		capacity: eventFields.capacity.default(null),
	})
	.openapi("CreateEvent");

export const UpdateEvent = z
	.strictObject(eventFields)
	.partial()
	.refine((body) => Object.keys(body).length > 0, "send at least one field to change")
	.openapi("UpdateEvent", {
		description:
			"Any subset. Raising `capacity` promotes from the waitlist; lowering it below the current `going` keeps those going and stops new ones.",
	});

export const RsvpCountsSchema = z
	.object({
		going: z.number().int(),
		maybe: z.number().int(),
		waitlisted: z.number().int(),
		capacity: z.number().int().nullable(),
		spots_left: z.number().int().nullable().openapi({ description: "Null when the capacity is unlimited." }),
	})
	.openapi("RsvpCounts");

export const MyRsvpSchema = z
	.object({
		status: z.enum(RSVP_STATUSES),
		waitlist_position: z.number().int().nullable(),
	})
	.openapi("MyRsvp");

export const GroupEvent = z
	.object({
		id: Uuid,
		group_id: Uuid,
		title: z.string(),
		description: z.string(),
		event_type: z.enum(EVENT_TYPES),
		starts_at: IsoTimestamp,
		ends_at: IsoTimestamp,
		timezone: z.string(),
		location: z.string().nullable(),
		url: z.string().nullable(),
		capacity: z.number().int().nullable(),
		status: z.enum(EVENT_STATUSES).openapi({
			description: "`completed` once `ends_at` has passed; `cancelled` is final.",
		}),
		cancelled_at: IsoTimestamp.nullable(),
		created_by: CreatorSchema,
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp,
		rsvp_counts: RsvpCountsSchema,
		my_rsvp: MyRsvpSchema.nullable(),
		pending_review: z.boolean(),
	})
	.openapi("GroupEvent");

export const EventListQuery = PageQuery.extend({
	past: z
		.enum(["true", "false"])
		.default("false")
		.transform((value) => value === "true")
		.openapi({ description: "`true`: events that have ended, newest first. Default: upcoming and ongoing." }),
});

export const EventPage = pageOf(GroupEvent, "GroupEventPage");

export const SetRsvp = z.strictObject({ status: z.enum(RSVP_CHOICES) }).openapi("SetRsvp");

export const RsvpAnswer = z
	.object({
		event_id: Uuid,
		status: z.enum(RSVP_STATUSES),
		waitlist_position: z.number().int().nullable(),
		counts: RsvpCountsSchema,
	})
	.openapi("RsvpAnswer");

export const Attendee = z
	.object({
		user: PublicUser,
		status: z.enum(RSVP_STATUSES),
		waitlist_position: z.number().int().nullable(),
		updated_at: IsoTimestamp,
	})
	.openapi("Attendee");

export const AttendeeListQuery = PageQuery.extend({
	status: z.enum(RSVP_STATUSES).default("going"),
});

export const AttendeePage = pageOf(Attendee, "AttendeePage");

// ─── my events and the calendar ──────────────────────────────────────────────────────────────────

export const MyEventListQuery = PageQuery;

export const MyEventPage = pageOf(GroupEvent, "MyEventPage").openapi({
	description:
		"Upcoming and ongoing events I am `going` to or `waitlisted` for (`my_rsvp`), soonest first. Cancelled ones stay a few days with `status: cancelled`.",
});

export const CalendarFeedQuery = z.object({
	token: z.string().max(200).optional().openapi({
		description:
			"My calendar token (from `POST /users/me/calendar-token`), for calendar apps that cannot send a bearer token. It opens this feed and nothing else.",
	}),
});

export const ICalendar = z.string().openapi("ICalendar", {
	description: "An RFC 5545 iCalendar object (`text/calendar`): VEVENTs with UTC times.",
	example:
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Flourish//Fellowship events//EN\r\nBEGIN:VEVENT\r\nUID:…\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
});

export const CalendarToken = z
	.object({
		token: z.string().openapi({ description: "Shown only now; only its hash is kept." }),
		feed_url: z.string().openapi({ description: "My feed's address with the token in it (https)." }),
		webcal_url: z.string().openapi({ description: "The same as `webcal:`, which opens a calendar app." }),
		created_at: IsoTimestamp,
	})
	.openapi("CalendarToken");
