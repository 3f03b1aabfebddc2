/**
 * @module fellowship/calendar-routes: my events across groups, and calendar export — my feed (bearer or
 * calendar token), one event's `.ics`, and rotating the calendar token. Mounted before the event routes:
 * `/fellowship/events/{event_id}.ics` must be matched before `/fellowship/events/{event_id}`.
 */
import type { Context } from "hono";
import { currentUser } from "../../auth/guards";
import { unauthorized } from "../../auth/verify";
import type { AppEnv } from "../../env";
import { PERSONAL_RESPONSE_CACHE_CONTROL } from "../../http/cache-control";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { openapiSuffixed } from "../../http/suffixed-route";
import { ICS_CONTENT_TYPE } from "../../lib/ical";
import { Problem } from "../../lib/problem";
import { idParam } from "../../lib/schemas";
import { calendarTokenOwner, eventCalendar, myEventsCalendar, rotateCalendarToken } from "./calendar";
import { listMyEvents } from "./my-events";
import { CalendarFeedQuery, CalendarToken, ICalendar, MyEventListQuery, MyEventPage } from "./schemas";

const tags = ["fellowship"];
const calendarContent = { "text/calendar": { schema: ICalendar } };

const listMyEventsRoute = defineRoute("user", {
	method: "get",
	path: "/users/me/events",
	operationId: "listMyEvents",
	tags,
	summary: "Upcoming events I am going to or waitlisted for, across all my groups",
	description:
		"Soonest first, with `my_rsvp` (status and waitlist position). Only events of groups I am still an active member of; past events are not listed; a cancelled event stays a few days with `status: cancelled`.",
	request: { query: MyEventListQuery },
	responses: { 200: { description: "A page of my events.", content: jsonContent(MyEventPage) } },
});

const exportMyEventsCalendarRoute = defineRoute("public", {
	method: "get",
	path: "/users/me/events.ics",
	operationId: "exportMyEventsCalendar",
	tags,
	summary: "My events as a calendar feed (RFC 5545), for calendar apps to subscribe to",
	description:
		"With a bearer token, or with `?token=` (my calendar token, from `POST /users/me/calendar-token`) for calendar apps, which cannot send one. The events of `GET /users/me/events`, and those that ended in the last 30 days; waitlisted ones are `STATUS:TENTATIVE`, cancelled ones `STATUS:CANCELLED`. Always `Cache-Control: private, no-store`.",
	request: { query: CalendarFeedQuery },
	responses: {
		200: { description: "My events as iCalendar.", content: calendarContent },
		403: problemResponse("The bearer token's account is suspended."),
		404: problemResponse(
			"No such calendar token: unknown, replaced, or its account is suspended or deleted.",
		),
	},
});

const exportEventCalendarRoute = defineRoute("user", {
	method: "get",
	path: "/fellowship/events/{event_id}.ics",
	operationId: "exportEventCalendar",
	tags,
	summary: "One event as an iCalendar file (RFC 5545)",
	description: "Visible exactly as `GET /fellowship/events/{event_id}` is (secret groups: members only).",
	request: { params: idParam("event_id") },
	responses: {
		200: { description: "The event as iCalendar.", content: calendarContent },
		404: problemResponse("No such event that I may know of."),
	},
});

const rotateCalendarTokenRoute = defineRoute(
	"user",
	{
		method: "post",
		path: "/users/me/calendar-token",
		operationId: "rotateCalendarToken",
		tags,
		summary: "A new calendar token for my feed; the one before stops working at once",
		description:
			"The token is shown only in this answer. Subscribe to `feed_url` (or `webcal_url`); keep it private, like a password: it shows the events I go to.",
		responses: { 201: { description: "My new calendar token.", content: jsonContent(CalendarToken) } },
	},
	{ secretInAnswer: { onRetry: "A retry makes another token, which replaces this one." } },
);

const originOf = (c: Context<AppEnv>) => new URL(c.req.url).origin;

/** An iCalendar answer: about one person (or their group's event), so never stored by any cache. */
const calendarAnswer = (c: Context<AppEnv>, body: string, filename: string) =>
	c.body(body, 200, {
		"Content-Type": ICS_CONTENT_TYPE,
		"Content-Disposition": `inline; filename="${filename}"`,
		"Cache-Control": PERSONAL_RESPONSE_CACHE_CONTROL,
	});

const noSuchToken = () =>
	new Problem(404, {
		detail: "This calendar link no longer works. Get a new one in the app.",
		kind: "not-found",
		headers: { "Cache-Control": PERSONAL_RESPONSE_CACHE_CONTROL },
	});

export const calendarRoutes = createRouter()
	.openapi(listMyEventsRoute, async (c) => {
		const page = await listMyEvents(c.var.db, currentUser(c), c.req.valid("query"), c.var.now);
		return c.json(page, 200);
	})
	.openapi(exportMyEventsCalendarRoute, async (c) => {
		const { token } = c.req.valid("query");
		// The token, when sent, decides whose feed this is; it is never set as the request's user.
		const owner =
			token !== undefined ? await calendarTokenOwner(c.var.db, c.env, token, c.var.now) : c.get("user");
		if (!owner) {
			if (token !== undefined) throw noSuchToken();
			throw unauthorized(
				"Send a bearer token, or open the feed with its calendar token (`?token=`).",
				"invalid_request",
			);
		}
		const body = await myEventsCalendar(c.var.db, owner, originOf(c), c.var.now);
		return calendarAnswer(c, body, "flourish-events.ics");
	})
	.openapi(rotateCalendarTokenRoute, async (c) => {
		const answer = await rotateCalendarToken(c.var.db, c.env, currentUser(c), originOf(c), c.var.now);
		return c.json(answer, 201);
	});

openapiSuffixed(
	calendarRoutes,
	exportEventCalendarRoute,
	{ param: "event_id", suffix: ".ics" },
	async (c) => {
		const { event_id } = c.req.valid("param");
		const body = await eventCalendar(c.var.db, currentUser(c), event_id, originOf(c), c.var.now);
		return calendarAnswer(c, body, `event-${event_id}.ics`);
	},
);
