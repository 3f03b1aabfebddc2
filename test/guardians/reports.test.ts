/**
 * POST /reports: one report per reporter per target; one queue item per target with weighted score
 * (1 + trust rank, guardian 5); automatic hiding at open weight ≥ 5 or on a spam/harassment report by a
 * flourishing member (audit-logged once); a snapshot that outlives the content.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { setChatMessageModeration } from "../../src/modules/orchard/chat";
import { conversationIdOf } from "../../src/modules/orchard/chat-access";
import { createRequest } from "../anonymous-support/helpers";
import { connect, sendRest } from "../orchard/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import {
	atLevel,
	auditEntries,
	commentBy,
	guardian,
	moderationStatusOf,
	person,
	postBy,
	queueItemFor,
	report,
	reported,
	shareBy,
} from "./helpers";

describe("filing a report", () => {
	it("opens one queue item per target with the report, its weight and a snapshot", async () => {
		const author = await signUp("rep-author");
		const reporter = await signUp("rep-reporter");
		const postId = await postBy(author.id, "Buy cheap followers at my site");
		const created = await reported(reporter, "post", postId, "spam");
		expect(created.status).toBe("open");
		const item = await queueItemFor("post", postId);
		expect(item).toMatchObject({
			status: "open",
			source: "reports",
			score: 1,
			report_count: 1,
			is_hidden: 0,
			target_author_id: author.id,
		});
		expect(JSON.parse(String(item.content_snapshot))).toMatchObject({
			type: "text",
			body: "Buy cheap followers at my site",
		});
		const row = await env.DB.prepare("SELECT weight, queue_item_id, reason FROM reports WHERE id = ?")
			.bind(created.id)
			.first();
		expect(row).toEqual({ weight: 1, queue_item_id: item.id, reason: "spam" });
		// Reported, still visible: flagged for review.
		expect(await moderationStatusOf("posts", postId)).toBe("flagged");
	});

	it("weighs reports 1 + trust rank (guardian 5)", async () => {
		const author = await signUp("weights-author");
		const expected: Array<[Record<string, string>, number]> = [
			[{}, 1],
			[{ trust_level: "growing" }, 2],
			[{ trust_level: "good_soil" }, 3],
			[{ trust_level: "flourishing" }, 4],
			[{ role: "guardian" }, 6],
		];
		for (const [columns, weight] of expected) {
			const reporter = await person("weights", columns);
			const postId = await postBy(author.id);
			const created = await reported(reporter, "post", postId, "other");
			const row = await env.DB.prepare("SELECT weight FROM reports WHERE id = ?")
				.bind(created.id)
				.first<{ weight: number }>();
			expect(row?.weight, JSON.stringify(columns)).toBe(weight);
		}
	});

	it("accepts one report per reporter per target (409), and many reporters on one item", async () => {
		const author = await signUp("dup-author");
		const first = await signUp("dup-1");
		const second = await signUp("dup-2");
		const shareId = await shareBy(author.id);
		await reported(first, "sunlight_share", shareId, "harassment");
		await expectProblem(await report(first, "sunlight_share", shareId, "spam"), 409);
		await reported(second, "sunlight_share", shareId, "spam");
		const item = await queueItemFor("sunlight_share", shareId);
		expect(item).toMatchObject({ report_count: 2, score: 2 });
		const n = await env.DB.prepare("SELECT count(*) AS n FROM moderation_queue_items WHERE target_id = ?")
			.bind(shareId)
			.first<{ n: number }>();
		expect(n?.n).toBe(1);
	});

	it("answers concurrent duplicate reports with one 201 and one 409", async () => {
		const author = await signUp("race-author");
		const reporter = await signUp("race-reporter");
		const postId = await postBy(author.id);
		const statuses = (
			await Promise.all([report(reporter, "post", postId), report(reporter, "post", postId)])
		).map((response) => response.status);
		expect(statuses.sort()).toEqual([201, 409]);
		const item = await queueItemFor("post", postId);
		expect(item).toMatchObject({ report_count: 1, score: 1 });
	});

	it("answers 404 for unknown, deleted or removed targets and 422 for my own content", async () => {
		const author = await signUp("missing-author");
		const reporter = await signUp("missing-reporter");
		await expectProblem(await report(reporter, "post", "0190a0a0-0000-7000-8000-000000000000"), 404);
		await expectProblem(await report(reporter, "user", "0190a0a0-0000-7000-8000-000000000000"), 404);
		const postId = await postBy(author.id);
		await env.DB.prepare("UPDATE posts SET deleted_at = ? WHERE id = ?")
			.bind(new Date().toISOString(), postId)
			.run();
		await expectProblem(await report(reporter, "post", postId), 404);
		const removed = await postBy(author.id);
		await env.DB.prepare("UPDATE posts SET moderation_status = 'removed' WHERE id = ?").bind(removed).run();
		await expectProblem(await report(reporter, "post", removed), 404);
		const mine = await postBy(reporter.id);
		await expectProblem(await report(reporter, "post", mine), 422);
		await expectProblem(await report(reporter, "user", reporter.id), 422);
	});

	it.each([
		[
			"an unknown target type",
			{ target_type: "poem", target_id: "0190a0a0-0000-7000-8000-000000000000", reason: "spam" },
		],
		[
			"an unknown reason",
			{ target_type: "post", target_id: "0190a0a0-0000-7000-8000-000000000000", reason: "boring" },
		],
		["a non-UUID id", { target_type: "post", target_id: "42", reason: "spam" }],
		[
			"oversized details",
			{
				target_type: "post",
				target_id: "0190a0a0-0000-7000-8000-000000000000",
				reason: "spam",
				details: "d".repeat(1001),
			},
		],
		[
			"an unknown field",
			{ target_type: "post", target_id: "0190a0a0-0000-7000-8000-000000000000", reason: "spam", weight: 6 },
		],
		[
			"a chat message without the other person of its conversation",
			{ target_type: "chat_message", target_id: "m-1", reason: "harassment" },
		],
		[
			"a chat message whose author is not a user id",
			{ target_type: "chat_message", target_id: "m-1", reason: "harassment", message: { author_id: "bob" } },
		],
		[
			"message on a non-chat target",
			{
				target_type: "post",
				target_id: "0190a0a0-0000-7000-8000-000000000000",
				reason: "spam",
				message: { author_id: "0190a0a0-0000-7000-8000-000000000000", body: "x" },
			},
		],
	])("rejects %s with 422", async (_label, body) => {
		const reporter = await signUp("bad-report");
		await expectProblem(await call("POST", "/api/v1/reports", { token: reporter.token, body }), 422);
	});

	it("answers 401 anonymously, 403 when suspended, 400 for malformed JSON", async () => {
		const reporter = await signUp("auth-report");
		await expectProblem(
			await call("POST", "/api/v1/reports", {
				body: { target_type: "user", target_id: reporter.id, reason: "spam" },
			}),
			401,
		);
		await expectProblem(await call("POST", "/api/v1/reports", { token: reporter.token, rawBody: "{" }), 400);
		await setUserColumns(reporter.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(
			await call("POST", "/api/v1/reports", {
				token: reporter.token,
				body: { target_type: "user", target_id: reporter.id, reason: "spam" },
			}),
			403,
		);
	});

	it("reports users, comments, anonymous support requests and chat messages", async () => {
		const author = await signUp("kinds-author");
		const reporter = await signUp("kinds-reporter");
		await reported(reporter, "user", author.id, "harassment");
		expect(await queueItemFor("user", author.id)).toMatchObject({ target_author_id: author.id });

		const commentId = await commentBy(author.id, await postBy(author.id));
		await reported(reporter, "comment", commentId, "hate_speech");
		expect(await moderationStatusOf("comments", commentId)).toBe("flagged");

		const request = await createRequest(author);
		await reported(reporter, "support_request", request.request.id, "spam");
		expect(await queueItemFor("support_request", request.request.id)).toMatchObject({
			target_author_id: null,
		});

		await connect(author, reporter);
		const sent = await sendRest(author, reporter.id, "Send me your address or else");
		await expectStatus(
			await report(reporter, "chat_message", sent.id, "harassment", { message: { author_id: author.id } }),
			201,
		);
		expect(await queueItemFor("chat_message", sent.id)).toMatchObject({ target_author_id: author.id });
	});

	it("marks the item urgent on a self-harm report", async () => {
		const author = await signUp("selfharm-author");
		const reporter = await signUp("selfharm-reporter");
		const postId = await postBy(author.id, "Nobody would miss me");
		await reported(reporter, "post", postId, "self_harm");
		expect(await queueItemFor("post", postId)).toMatchObject({ is_urgent: 1 });
	});
});

describe("reporting a chat message", () => {
	/** Two connected people and a message from the first to the second. */
	async function conversation(label: string, text = "See you at the market at noon") {
		const sender = await signUp(`${label}-sender`);
		const recipient = await signUp(`${label}-recipient`);
		await connect(sender, recipient);
		const message = await sendRest(sender, recipient.id, text);
		return { sender, recipient, message };
	}

	it("snapshots the room's stored message, never the reporter's words", async () => {
		const { sender, recipient, message } = await conversation("chat-snapshot");
		await expectStatus(
			await report(recipient, "chat_message", message.id, "harassment", {
				// A body and time supplied by the reporter are still accepted, and ignored.
				message: { author_id: sender.id, body: "I will hurt you", sent_at: "2020-01-01T00:00:00.000Z" },
			}),
			201,
		);
		const item = await queueItemFor("chat_message", message.id);
		expect(item.target_author_id).toBe(sender.id);
		const snapshot = JSON.parse(String(item.content_snapshot));
		expect(snapshot).toEqual({
			conversation_id: conversationIdOf(sender.id, recipient.id),
			seq: message.seq,
			sender_id: sender.id,
			recipient_id: recipient.id,
			text: "See you at the market at noon",
			created_at: (message as unknown as { created_at: string }).created_at,
		});
		expect(JSON.stringify(snapshot)).not.toContain("hurt");
	});

	it("answers 404 for a made-up message id, and files nothing", async () => {
		const { sender, recipient } = await conversation("chat-made-up");
		for (const madeUp of ["msg-43", "0190a0a0-0000-7000-8000-000000000000"]) {
			await expectProblem(
				await report(recipient, "chat_message", madeUp, "harassment", {
					message: { author_id: sender.id, body: "You are worthless" },
				}),
				404,
			);
			const items = await env.DB.prepare(
				"SELECT count(*) AS n FROM moderation_queue_items WHERE target_id = ?",
			)
				.bind(madeUp)
				.first<{ n: number }>();
			expect(items?.n).toBe(0);
		}
	});

	it("answers 404 for a message of a conversation the reporter is not part of", async () => {
		const { sender, message } = await conversation("chat-elsewhere");
		const outsider = await signUp("chat-elsewhere-outsider");
		await expectProblem(
			await report(outsider, "chat_message", message.id, "spam", {
				message: { author_id: sender.id, body: "Made-up words" },
			}),
			404,
		);
		// Also when the outsider chats with the sender too: the message is not in *their* conversation.
		await connect(sender, outsider);
		await sendRest(sender, outsider.id, "hello outsider");
		await expectProblem(
			await report(outsider, "chat_message", message.id, "spam", {
				message: { author_id: sender.id, body: "Made-up words" },
			}),
			404,
		);
	});

	it("answers 404 for an unknown author and for a message hidden from the reporter", async () => {
		const { sender, recipient, message } = await conversation("chat-hidden");
		await expectProblem(
			await report(recipient, "chat_message", message.id, "spam", {
				message: { author_id: "0190a0a0-0000-7000-8000-000000000000", body: "Made-up words" },
			}),
			404,
		);
		// Held back by moderation: never delivered, so the recipient cannot have seen it.
		await setChatMessageModeration(env, conversationIdOf(sender.id, recipient.id), message.id, "hidden");
		await expectProblem(
			await report(recipient, "chat_message", message.id, "spam", {
				message: { author_id: sender.id, body: "Made-up words" },
			}),
			404,
		);
	});

	it("answers 422 for my own message, like my own post", async () => {
		const { sender, recipient, message } = await conversation("chat-own");
		await expectProblem(
			await report(sender, "chat_message", message.id, "spam", {
				message: { author_id: recipient.id, body: "See you at the market at noon" },
			}),
			422,
		);
	});
});

describe("automatic hiding", () => {
	it("hides content once open reports weigh 5, not before, and logs it once", async () => {
		const author = await signUp("hide-author");
		const postId = await postBy(author.id);
		const sprouts = [await signUp("s1"), await signUp("s2"), await signUp("s3"), await signUp("s4")];
		for (const sprout of sprouts) await reported(sprout, "post", postId, "other");
		expect(await queueItemFor("post", postId)).toMatchObject({ score: 4, is_hidden: 0 });
		expect(await moderationStatusOf("posts", postId)).toBe("flagged");

		await reported(await signUp("s5"), "post", postId, "other");
		expect(await queueItemFor("post", postId)).toMatchObject({ score: 5, is_hidden: 1 });
		expect(await moderationStatusOf("posts", postId)).toBe("hidden");

		await reported(await signUp("s6"), "post", postId, "other");
		const hides = (await auditEntries(postId)).filter((entry) => entry.action === "hide_content");
		expect(hides).toHaveLength(1);
		expect(hides[0]).toMatchObject({ actor_id: null, target_type: "post", target_user_id: author.id });
	});

	it("hides at once on weight: two good_soil reports (3 + 3)", async () => {
		const author = await signUp("hide-soil-author");
		const postId = await postBy(author.id);
		await reported(await atLevel("good_soil", "soil-1"), "post", postId, "misinformation");
		expect(await moderationStatusOf("posts", postId)).toBe("flagged");
		await reported(await atLevel("good_soil", "soil-2"), "post", postId, "misinformation");
		expect(await moderationStatusOf("posts", postId)).toBe("hidden");
	});

	it("hides at once on a spam or harassment report by a flourishing member, not for other reasons", async () => {
		const author = await signUp("flourish-author");
		const flourishing = await atLevel("flourishing", "flourisher");
		const spam = await postBy(author.id);
		const harassment = await shareBy(author.id);
		const other = await postBy(author.id);
		await reported(flourishing, "post", spam, "spam");
		await reported(flourishing, "sunlight_share", harassment, "harassment");
		await reported(flourishing, "post", other, "misinformation");
		expect(await moderationStatusOf("posts", spam)).toBe("hidden");
		expect(await moderationStatusOf("sunlight_shares", harassment)).toBe("hidden");
		expect(await moderationStatusOf("posts", other)).toBe("flagged");
		const [hide] = (await auditEntries(spam)).filter((entry) => entry.action === "hide_content");
		expect(JSON.parse(String(hide?.details))).toMatchObject({ trigger: "trusted_reporter" });
	});

	it("keeps the first reported snapshot through edits and after the author deletes the content", async () => {
		const author = await signUp("snap-author");
		const reader = await guardian("snap-guardian");
		const postId = await postBy(author.id, "Original words, later deleted");
		await reported(await signUp("snap-reporter"), "post", postId, "harassment");
		// The author edits the post; a later report must not replace the evidence.
		await env.DB.prepare("UPDATE posts SET body = 'Innocent words' WHERE id = ?").bind(postId).run();
		await reported(await signUp("snap-reporter-2"), "post", postId, "harassment");
		const beforeDeletion = await expectStatus<{
			content_snapshot: { body: string };
			live: { content: { body: string } };
		}>(
			await call("GET", `/api/v1/guardians/queue/${(await queueItemFor("post", postId)).id}`, {
				token: reader.token,
			}),
			200,
		);
		expect(beforeDeletion.content_snapshot.body).toBe("Original words, later deleted");
		expect(beforeDeletion.live.content.body).toBe("Innocent words");
		await env.DB.prepare("UPDATE posts SET deleted_at = ?, body = '' WHERE id = ?")
			.bind(new Date().toISOString(), postId)
			.run();
		const item = await queueItemFor("post", postId);
		const detail = await expectStatus<{ content_snapshot: { body: string }; live: { deleted: boolean } }>(
			await call("GET", `/api/v1/guardians/queue/${item.id}`, { token: reader.token }),
			200,
		);
		expect(detail.content_snapshot.body).toBe("Original words, later deleted");
		expect(detail.live.deleted).toBe(true);
	});
});
