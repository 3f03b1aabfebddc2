/** @module trust/routes: my trust standing and progress, trust applications and guide applications. */
import { z } from "@hono/zod-openapi";
import { currentUser } from "../../auth/guards";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { decodeCursor, PageQuery, toPage } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import {
	CreateGuideApplication,
	CreateTrustApplication,
	GuideApplication,
	GuideApplicationPage,
	TrustApplication,
	TrustApplicationPage,
	TrustStanding,
	toGuideApplication,
	toTrustApplication,
	toTrustStanding,
} from "./schemas";
import {
	applyForGuide,
	applyForTrust,
	listGuideApplications,
	listTrustApplications,
	maybePromoteToGrowing,
	nextLevelProgress,
	pendingTrustApplication,
	withdrawApplication,
} from "./service";

const IdCursor = z.object({ id: z.uuid() });

const getMine = defineRoute(
	"user",
	{
		method: "get",
		path: "/trust/me",
		operationId: "getMyTrust",
		tags: ["trust"],
		summary: "My trust level, what it unlocks, and progress toward the next level",
		description:
			"Also takes the automatic step from new_sprout to growing when its requirements are met (unless a guardian locked the level).",
		responses: { 200: { description: "My trust standing.", content: jsonContent(TrustStanding) } },
	},
	// The answer starts from my trust level.
	{ callerRowFirst: true },
);

const postApplication = defineRoute("user", {
	method: "post",
	path: "/trust/applications",
	operationId: "applyForTrust",
	tags: ["trust"],
	summary: "Apply for the next trust level (good_soil or flourishing)",
	description:
		"Eligibility is checked now: an ineligible application is 422 with `errors[]` and `unmet_requirements` naming each unmet requirement. One pending application at a time (409).",
	request: { body: { required: true, content: jsonContent(CreateTrustApplication) } },
	responses: {
		201: { description: "The pending application.", content: jsonContent(TrustApplication) },
		409: problemResponse("Already pending, at the highest level, or the level is locked."),
	},
});

const getApplications = defineRoute("user", {
	method: "get",
	path: "/trust/applications",
	operationId: "listMyTrustApplications",
	tags: ["trust"],
	summary: "My trust applications, newest first",
	request: { query: PageQuery },
	responses: { 200: { description: "A page of applications.", content: jsonContent(TrustApplicationPage) } },
});

const postGuideApplication = defineRoute(
	{ trust: "good_soil" },
	{
		method: "post",
		path: "/trust/guide-applications",
		operationId: "applyToBeGuide",
		tags: ["trust"],
		summary: "Apply to become a Guide",
		description:
			"One pending guide application at a time (409). Approval makes me a Guide with a guide profile.",
		request: { body: { required: true, content: jsonContent(CreateGuideApplication) } },
		responses: {
			201: { description: "The pending application.", content: jsonContent(GuideApplication) },
			409: problemResponse("Already a Guide (or a guardian), or an application is pending."),
		},
	},
);

const getGuideApplications = defineRoute("user", {
	method: "get",
	path: "/trust/guide-applications",
	operationId: "listMyGuideApplications",
	tags: ["trust"],
	summary: "My guide applications, newest first",
	request: { query: PageQuery },
	responses: { 200: { description: "A page of applications.", content: jsonContent(GuideApplicationPage) } },
});

const deleteApplication = defineRoute("user", {
	method: "delete",
	path: "/trust/applications/{application_id}",
	operationId: "withdrawTrustApplication",
	tags: ["trust"],
	summary: "Withdraw my pending application (trust or guide)",
	request: { params: idParam("application_id") },
	responses: {
		204: { description: "Withdrawn." },
		404: problemResponse("No such application of mine."),
		409: problemResponse("The application is no longer pending."),
	},
});

export const trustRoutes = createRouter()
	.openapi(getMine, async (c) => {
		const db = c.var.db;
		const user = await maybePromoteToGrowing(db, currentUser(c));
		const [next, pending] = await Promise.all([
			nextLevelProgress(db, user),
			pendingTrustApplication(db, user.id),
		]);
		return c.json(toTrustStanding(user, next, pending?.id ?? null), 200);
	})
	.openapi(postApplication, async (c) => {
		const created = await applyForTrust(c.var.db, currentUser(c), c.req.valid("json"));
		return c.json(toTrustApplication(created), 201);
	})
	.openapi(getApplications, async (c) => {
		const { limit, cursor } = c.req.valid("query");
		const after = decodeCursor(cursor, IdCursor)?.id;
		const rows = await listTrustApplications(c.var.db, currentUser(c).id, { limit, after });
		return c.json(
			toPage(rows, limit, (row) => ({ id: row.id }), toTrustApplication),
			200,
		);
	})
	.openapi(postGuideApplication, async (c) => {
		const created = await applyForGuide(c.var.db, currentUser(c), c.req.valid("json"));
		return c.json(toGuideApplication(created), 201);
	})
	.openapi(getGuideApplications, async (c) => {
		const { limit, cursor } = c.req.valid("query");
		const after = decodeCursor(cursor, IdCursor)?.id;
		const rows = await listGuideApplications(c.var.db, currentUser(c).id, { limit, after });
		return c.json(
			toPage(rows, limit, (row) => ({ id: row.id }), toGuideApplication),
			200,
		);
	})
	.openapi(deleteApplication, async (c) => {
		await withdrawApplication(c.var.db, currentUser(c).id, c.req.valid("param").application_id);
		return c.body(null, 204);
	});
