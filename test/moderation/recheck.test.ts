/**
 * The scheduled re-check (src/ml/recheck.ts, run by the cron handler): content published while the ML
 * service was down (`moderation_status = 'unchecked'`) is scored later — status and toxicity set, queue
 * items raised, automatic hides audit-logged, urgent self-harm marked — in bounded batches, and nothing
 * changes while ML is still down.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RECHECK_BATCH, recheckUncheckedContent } from "../../src/core/moderation/recheck";
import { runScheduledTasks } from "../../src/scheduled";
import { envWithMl, insertRow, rowOf } from "../ml/fixtures";
import { signUp } from "../support/api";

interface Moderated {
	moderation_status: string;
	toxicity_score: number | null;
	is_urgent?: number;
}

const queueItem = (targetType: string, targetId: string) =>
	env.DB.prepare("SELECT * FROM moderation_queue_items WHERE target_type = ? AND target_id = ?")
		.bind(targetType, targetId)
		.first<{ is_hidden: number; is_urgent: number; source: string; ml_toxicity: number; status: string }>();

const unchecked = async (table: string) =>
	(
		await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE moderation_status = 'unchecked'`).first<{
			n: number;
		}>()
	)?.n ?? 0;

async function post(authorId: string, body: string, extra: Record<string, string | number | null> = {}) {
	return insertRow("posts", { author_id: authorId, type: "text", body, visibility: "public", ...extra });
}

describe("the scheduled ML re-check", () => {
	it("scores unchecked content in every table and raises what needs review", async () => {
		const author = await signUp("recheck-author");
		const clean = await post(author.id, "Lovely sunrise on my walk today.");
		const threat = await post(author.id, "I will kill you if I see you again.");
		const deletedThreat = await post(author.id, "I will stab you.", { deleted_at: new Date().toISOString() });
		const alreadyHidden = await post(author.id, "Reported into hiding already.", {
			moderation_status: "hidden",
		});
		const insult = await insertRow("comments", {
			post_id: clean,
			author_id: author.id,
			body: "You are such a loser.",
		});
		const share = await insertRow("sunlight_shares", {
			author_id: author.id,
			share_type: "gratitude",
			body: "Thankful for my sister.",
		});
		const request = await insertRow("support_requests", {
			title: "I can't do this",
			body: "I don't want to be here anymore.",
			category: "depression",
			token_hash: "hash",
			token_salt: "salt",
			token_iterations: 100000,
		});
		const response = await insertRow("support_responses", {
			request_id: request,
			responder_id: author.id,
			body: "I'm here for you.",
		});
		const group = await insertRow("fellowship_groups", {
			owner_id: author.id,
			name: "Morning runners",
			description: "Easy 5k loops.",
			group_type: "wellness",
			moderation_status: "unchecked",
		});
		const event = await insertRow("group_events", {
			group_id: group,
			created_by: author.id,
			title: "Sunday run",
			event_type: "in_person",
			starts_at: "2026-12-06T09:00:00.000Z",
			ends_at: "2026-12-06T10:00:00.000Z",
		});
		const project = await insertRow("projects", {
			owner_id: author.id,
			title: "Park cleanup",
			project_type: "community_service",
		});
		const discussion = await insertRow("project_discussions", {
			project_id: project,
			author_id: author.id,
			body: "Bring gloves!",
		});

		await runScheduledTasks(env);

		expect(await rowOf<Moderated>("posts", clean)).toMatchObject({ moderation_status: "clean" });
		expect((await rowOf<Moderated>("posts", clean))?.toxicity_score).toBeLessThan(0.7);
		expect(await queueItem("post", clean)).toBeNull();

		const hidden = await rowOf<Moderated>("posts", threat);
		expect(hidden?.moderation_status).toBe("hidden");
		expect(hidden?.toxicity_score).toBeGreaterThanOrEqual(0.9);
		expect(await queueItem("post", threat)).toMatchObject({ is_hidden: 1, source: "ml", status: "open" });
		const audit = await env.DB.prepare(
			"SELECT actor_id, action, target_user_id FROM moderation_actions WHERE target_type = 'post' AND target_id = ?",
		)
			.bind(threat)
			.first();
		expect(audit).toEqual({ actor_id: null, action: "hide_content", target_user_id: author.id });

		// Scored, but a deleted post raises nothing for Guardians.
		expect((await rowOf<Moderated>("posts", deletedThreat))?.moderation_status).toBe("hidden");
		expect(await queueItem("post", deletedThreat)).toBeNull();
		expect((await rowOf<Moderated>("posts", alreadyHidden))?.toxicity_score).toBeNull();

		expect((await rowOf<Moderated>("comments", insult))?.moderation_status).toBe("flagged");
		expect(await queueItem("comment", insult)).toMatchObject({ is_hidden: 0, source: "ml" });

		const urgent = await rowOf<Moderated>("support_requests", request);
		expect(urgent).toMatchObject({ moderation_status: "clean", is_urgent: 1 });
		expect(await queueItem("support_request", request)).toMatchObject({ is_urgent: 1, source: "crisis" });

		for (const [table, id] of [
			["sunlight_shares", share],
			["support_responses", response],
			["fellowship_groups", group],
			["group_events", event],
			["projects", project],
			["project_discussions", discussion],
		] as const) {
			expect((await rowOf<Moderated>(table, id))?.moderation_status, table).toBe("clean");
		}
	});

	it("changes nothing while the ML Worker is still down, then checks once it is back", async () => {
		const author = await signUp("recheck-outage");
		const id = await post(author.id, "You are a pathetic loser.");
		for (const fault of ["ML_THROWS", "ML_GARBAGE"] as const) {
			const report = await recheckUncheckedContent(envWithMl(fault));
			expect(report).toMatchObject({ checked: 0, stoppedEarly: true });
			expect((await rowOf<Moderated>("posts", id))?.moderation_status).toBe("unchecked");
		}
		await runScheduledTasks(env);
		expect((await rowOf<Moderated>("posts", id))?.moderation_status).toBe("hidden");
	});

	it("works through a backlog in bounded batches, oldest first", async () => {
		const author = await signUp("recheck-backlog");
		const postId = await post(author.id, "Backlog host post", { moderation_status: "clean" });
		const ids: string[] = [];
		for (let i = 0; i < RECHECK_BATCH + 5; i++) {
			ids.push(
				await insertRow("comments", { post_id: postId, author_id: author.id, body: `Great job ${i}!` }),
			);
		}
		expect(await unchecked("comments")).toBe(RECHECK_BATCH + 5);
		const first = await recheckUncheckedContent(env);
		expect(first.checked).toBe(RECHECK_BATCH);
		expect(await unchecked("comments")).toBe(5);
		const left = await env.DB.prepare(
			"SELECT id FROM comments WHERE moderation_status = 'unchecked' ORDER BY id",
		).all<{ id: string }>();
		expect(left.results.map((row) => row.id)).toEqual([...ids].sort().slice(RECHECK_BATCH));
		await recheckUncheckedContent(env);
		expect(await unchecked("comments")).toBe(0);
	});

	it("runs from the Worker's cron handler", async () => {
		const author = await signUp("recheck-cron");
		const id = await post(author.id, "Grateful for this community.");
		const controller = createScheduledController({ scheduledTime: new Date(), cron: "*/10 * * * *" });
		const ctx = createExecutionContext();
		const worker = (await import("../../src/index")).default;
		await worker.scheduled(controller, env, ctx);
		await waitOnExecutionContext(ctx);
		expect((await rowOf<Moderated>("posts", id))?.moderation_status).toBe("clean");
	});

	it("uses the partial index of unchecked rows", async () => {
		for (const table of ["posts", "comments", "support_requests", "fellowship_groups", "projects"]) {
			const plan = await env.DB.prepare(
				`EXPLAIN QUERY PLAN SELECT id FROM ${table} WHERE moderation_status = 'unchecked' ORDER BY id LIMIT 25`,
			).all<{ detail: string }>();
			expect(plan.results.map((row) => row.detail).join(" "), table).toContain(`${table}_unchecked_idx`);
		}
	});
});
