/**
 * @module guardians/routes: reporting (any signed-in user), appeals (even while suspended), and the
 * Guardians' tools: the queue and its decisions, applications review, user administration, appeals
 * review, the audit log and stats.
 */
import { z } from "@hono/zod-openapi";
import { currentUser } from "../../auth/guards";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { decodeCursor, PageQuery, toPage } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { chatMessageForReport } from "../orchard";
import { maybePromoteToGrowing } from "../trust";
import { administerUser, decideApplication, listPendingApplications } from "./admin";
import { decideAppeal, fileAppeal, listAppeals, listMyPenalties } from "./appeals";
import { guardianStats, listAuditLog } from "./insights";
import { fileReport } from "./reports";
import { decideQueueItem, getQueueItem, queuePage } from "./review";
import {
	AdministeredUser,
	AdministerUser,
	Appeal,
	AppealDecision,
	AppealsQuery,
	ApplicationDecision,
	ApplicationsQuery,
	AuditPage,
	AuditQuery,
	CreateAppeal,
	CreateReport,
	GuardianStats,
	PenaltyPage,
	QueueDecision,
	QueueDecisionResult,
	QueueItemDetail,
	QueueItemPage,
	QueueQuery,
	Report,
	ReviewableAppeal,
	ReviewableAppealPage,
	ReviewableApplication,
	ReviewableApplicationPage,
	StatsQuery,
	toAdministeredUser,
	toAppeal,
	toAuditEntry,
	toMyPenalty,
	toQueueItem,
	toQueueItemDetail,
	toReport,
	toReviewableAppeal,
	toReviewableApplication,
} from "./schemas";

const IdCursor = z.object({ id: z.uuid() });
const TimeCursor = z.object({ created_at: z.string(), id: z.uuid() });
const QueueCursor = z.object({
	is_urgent: z.boolean(),
	score: z.number(),
	created_at: z.string(),
	id: z.uuid(),
});

const postReport = defineRoute("user", {
	method: "post",
	path: "/reports",
	operationId: "createReport",
	tags: ["guardians"],
	summary: "Report content or a user",
	description:
		"One report per reporter per target (409). Reports weigh 1 + the reporter's trust rank (guardian 5); open reports weighing 5 or more, or a spam/harassment report by a flourishing member, hide the content pending review. Counts toward the daily report limit. A chat message is reported by its id and `message.author_id` (the other person of the conversation): the guardians' snapshot is the message as the conversation stored it, never text supplied by the reporter; only a message the other person sent to the reporter can be reported (unknown, another conversation's or held back by moderation: 404; one's own: 422).",
	request: { body: { required: true, content: jsonContent(CreateReport) } },
	responses: {
		201: { description: "The report.", content: jsonContent(Report) },
		404: problemResponse("No such target (for chat: no such message in your conversation with `author_id`)."),
		409: problemResponse("You already reported it."),
		429: problemResponse("The daily report limit is reached."),
	},
});

const getQueue = defineRoute("guardian", {
	method: "get",
	path: "/guardians/queue",
	operationId: "listReviewQueue",
	tags: ["guardians"],
	summary:
		"The moderation queue: one item per reported or flagged target, urgent first, then by score and age",
	request: { query: QueueQuery },
	responses: { 200: { description: "A page of queue items.", content: jsonContent(QueueItemPage) } },
});

const getQueueEntry = defineRoute("guardian", {
	method: "get",
	path: "/guardians/queue/{item_id}",
	operationId: "getReviewItem",
	tags: ["guardians"],
	summary: "A queue item with the snapshot of its content and its reports",
	request: { params: idParam("item_id") },
	responses: {
		200: { description: "The item.", content: jsonContent(QueueItemDetail) },
		404: problemResponse("No such queue item."),
	},
});

const postDecision = defineRoute("guardian", {
	method: "post",
	path: "/guardians/queue/{item_id}/decision",
	operationId: "decideReviewItem",
	tags: ["guardians"],
	summary: "Decide a queue item: dismiss, remove_content, warn, or suspend",
	description:
		"Resolves every open report of the item. `dismiss` shows hidden content again; `remove_content` removes it; `warn` and `suspend` (24h, 72h, 7d, 30d, permanent) penalise the author and remove reported content.",
	request: { params: idParam("item_id"), body: { required: true, content: jsonContent(QueueDecision) } },
	responses: {
		200: { description: "The resolved item.", content: jsonContent(QueueDecisionResult) },
		404: problemResponse("No such queue item."),
		409: problemResponse("Already resolved, or the last active guardian would be suspended."),
	},
});

const getApplications = defineRoute("guardian", {
	method: "get",
	path: "/guardians/applications",
	operationId: "listApplicationsForReview",
	tags: ["guardians"],
	summary: "Pending trust and guide applications, oldest first",
	request: { query: ApplicationsQuery },
	responses: {
		200: { description: "A page of applications.", content: jsonContent(ReviewableApplicationPage) },
	},
});

const postApplicationDecision = defineRoute("guardian", {
	method: "post",
	path: "/guardians/applications/{application_id}/decision",
	operationId: "decideApplication",
	tags: ["guardians"],
	summary: "Approve or reject an application (approving a guide application makes a Guide with a profile)",
	request: {
		params: idParam("application_id"),
		body: { required: true, content: jsonContent(ApplicationDecision) },
	},
	responses: {
		200: { description: "The reviewed application.", content: jsonContent(ReviewableApplication) },
		404: problemResponse("No such application."),
		409: problemResponse("Already reviewed, or the applicant no longer qualifies."),
	},
});

const patchUser = defineRoute("guardian", {
	method: "patch",
	path: "/guardians/users/{user_id}",
	operationId: "updateUserStanding",
	tags: ["guardians"],
	summary: "Set a user's role, trust level (and lock), or suspend / lift a suspension",
	description: "A guardian cannot demote or suspend themselves, nor the last active guardian.",
	request: { params: idParam("user_id"), body: { required: true, content: jsonContent(AdministerUser) } },
	responses: {
		200: { description: "The user.", content: jsonContent(AdministeredUser) },
		404: problemResponse("No such user."),
		409: problemResponse(
			"Not suspended (lifting), or the last active guardian would be demoted or suspended.",
		),
	},
});

const getAuditLog = defineRoute("guardian", {
	method: "get",
	path: "/guardians/audit-log",
	operationId: "listAuditLog",
	tags: ["guardians"],
	summary: "Every moderation action: who, what, on what, why, when (newest first)",
	request: { query: AuditQuery },
	responses: { 200: { description: "A page of entries.", content: jsonContent(AuditPage) } },
});

const getStats = defineRoute("guardian", {
	method: "get",
	path: "/guardians/stats",
	operationId: "getGuardianStats",
	tags: ["guardians"],
	summary: "Queue sizes, reports by reason and actions over time",
	request: { query: StatsQuery },
	responses: { 200: { description: "The stats.", content: jsonContent(GuardianStats) } },
});

const getAppeals = defineRoute("guardian", {
	method: "get",
	path: "/guardians/appeals",
	operationId: "listAppeals",
	tags: ["guardians"],
	summary: "Appeals to review (pending by default), oldest first",
	request: { query: AppealsQuery },
	responses: { 200: { description: "A page of appeals.", content: jsonContent(ReviewableAppealPage) } },
});

const patchAppeal = defineRoute("guardian", {
	method: "patch",
	path: "/guardians/appeals/{appeal_id}",
	operationId: "decideAppeal",
	tags: ["guardians"],
	summary: "Uphold or overturn an appeal (overturning lifts the penalty)",
	request: { params: idParam("appeal_id"), body: { required: true, content: jsonContent(AppealDecision) } },
	responses: {
		200: { description: "The decided appeal.", content: jsonContent(ReviewableAppeal) },
		404: problemResponse("No such appeal."),
		409: problemResponse("Already decided."),
	},
});

const postAppeal = defineRoute("self_even_if_suspended", {
	method: "post",
	path: "/appeals",
	operationId: "createAppeal",
	tags: ["guardians"],
	summary: "Appeal a warning or suspension (once, within 20 days)",
	description: "Open to suspended users too. Penalty ids come from `GET /penalties`.",
	request: { body: { required: true, content: jsonContent(CreateAppeal) } },
	responses: {
		201: { description: "The appeal.", content: jsonContent(Appeal) },
		404: problemResponse("No such penalty of mine."),
		409: problemResponse("Already appealed, lifted, or the 20-day window has passed."),
	},
});

const getPenalties = defineRoute("self_even_if_suspended", {
	method: "get",
	path: "/penalties",
	operationId: "listMyPenalties",
	tags: ["guardians"],
	summary: "My warnings and suspensions, with whether each can still be appealed",
	description: "Open to suspended users too.",
	request: { query: PageQuery },
	responses: { 200: { description: "A page of penalties.", content: jsonContent(PenaltyPage) } },
});

export const guardiansRoutes = createRouter()
	.openapi(postReport, async (c) => {
		const db = c.var.db;
		const reporter = currentUser(c);
		const report = await fileReport(db, reporter, {
			...c.req.valid("json"),
			// A reported chat message is read from the reporter's own conversation, as stored.
			readChatMessage: (authorId, messageId) => chatMessageForReport(c.env, reporter.id, authorId, messageId),
		});
		await maybePromoteToGrowing(db, currentUser(c));
		return c.json(toReport(report), 201);
	})
	.openapi(getQueue, async (c) => {
		const { limit, cursor, status, target_type } = c.req.valid("query");
		const after = decodeCursor(cursor, QueueCursor);
		const db = c.var.db;
		const { rows, reportsByItem } = await queuePage(db, { status, targetType: target_type, limit, after });
		return c.json(
			toPage(
				rows,
				limit,
				({ item }) => ({
					is_urgent: item.isUrgent,
					score: item.score,
					created_at: item.createdAt,
					id: item.id,
				}),
				({ item, author }) => toQueueItem(item, author, reportsByItem.get(item.id) ?? []),
			),
			200,
		);
	})
	.openapi(getQueueEntry, async (c) => {
		const { item, author, reports, live } = await getQueueItem(c.var.db, c.req.valid("param").item_id);
		return c.json(toQueueItemDetail(item, author, reports, live), 200);
	})
	.openapi(postDecision, async (c) => {
		const { item, penaltyId } = await decideQueueItem(
			c.var.db,
			c.env,
			currentUser(c),
			c.req.valid("param").item_id,
			c.req.valid("json"),
		);
		const { reports: _reports, author: _author, ...summary } = toQueueItem(item, null, []);
		return c.json({ item: summary, penalty_id: penaltyId }, 200);
	})
	.openapi(getApplications, async (c) => {
		const { limit, cursor, kind } = c.req.valid("query");
		const after = decodeCursor(cursor, IdCursor)?.id;
		const rows = await listPendingApplications(c.var.db, { kind, limit, after });
		return c.json(
			toPage(rows, limit, (row) => ({ id: row.application.id }), toReviewableApplication),
			200,
		);
	})
	.openapi(postApplicationDecision, async (c) => {
		const reviewed = await decideApplication(
			c.var.db,
			currentUser(c),
			c.req.valid("param").application_id,
			c.req.valid("json"),
		);
		return c.json(toReviewableApplication(reviewed), 200);
	})
	.openapi(patchUser, async (c) => {
		const user = await administerUser(
			c.var.db,
			c.env,
			currentUser(c),
			c.req.valid("param").user_id,
			c.req.valid("json"),
		);
		return c.json(toAdministeredUser(user), 200);
	})
	.openapi(getAuditLog, async (c) => {
		const { limit, cursor, actor_id, target_user_id, action, target_type, target_id } = c.req.valid("query");
		const after = decodeCursor(cursor, TimeCursor);
		const rows = await listAuditLog(c.var.db, {
			actorId: actor_id,
			targetUserId: target_user_id,
			action,
			targetType: target_type,
			targetId: target_id,
			limit,
			after,
		});
		return c.json(
			toPage(rows, limit, ({ entry }) => ({ created_at: entry.createdAt, id: entry.id }), toAuditEntry),
			200,
		);
	})
	.openapi(getStats, async (c) => {
		const { days } = c.req.valid("query");
		const stats = await guardianStats(c.var.db, days);
		return c.json({ period_days: days, ...stats }, 200);
	})
	.openapi(getAppeals, async (c) => {
		const { limit, cursor, status } = c.req.valid("query");
		const after = decodeCursor(cursor, IdCursor)?.id;
		const rows = await listAppeals(c.var.db, { status, limit, after });
		return c.json(
			toPage(rows, limit, (row) => ({ id: row.appeal.id }), toReviewableAppeal),
			200,
		);
	})
	.openapi(patchAppeal, async (c) => {
		const decided = await decideAppeal(
			c.var.db,
			currentUser(c),
			c.req.valid("param").appeal_id,
			c.req.valid("json"),
		);
		return c.json(toReviewableAppeal(decided), 200);
	})
	.openapi(postAppeal, async (c) => {
		const { appeal, penalty } = await fileAppeal(c.var.db, currentUser(c), c.req.valid("json"));
		return c.json(toAppeal(appeal, penalty), 201);
	})
	.openapi(getPenalties, async (c) => {
		const { limit, cursor } = c.req.valid("query");
		const after = decodeCursor(cursor, TimeCursor);
		const rows = await listMyPenalties(c.var.db, currentUser(c).id, { limit, after });
		return c.json(
			toPage(rows, limit, ({ penalty }) => ({ created_at: penalty.createdAt, id: penalty.id }), toMyPenalty),
			200,
		);
	});
