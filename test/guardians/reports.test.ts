/**
 * POST /reports: one report per reporter per target; one queue item per target with weighted score
 * (1 + trust rank, guardian 5); automatic hiding at open weight ≥ 5 or on a spam/harassment report by a
 * flourishing member (audit-logged once); a snapshot that outlives the content.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { conversationIdOf } from "../../src/core/chat-access";
import { setChatMessageModeration } from "../../src/modules/orchard/chat";
import { createRequest } from "../anonymous-support/helpers";
import { connect, sendRest } from "../orchard/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import {
	auditEntries,
	commentBy,
	established,
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

	// A harassed person blocks first, then reports: the block must not silence the report.
	it("lets a person who blocked the sender report the message and the sender's posts", async () => {
		const { sender, recipient, message } = await conversation("chat-block-first", "Answer me or else");
		const post = await postBy(sender.id, "Public post by the harasser");
		await expectStatus(
			await call("PUT", `/api/v1/orchard/blocks/${sender.id}`, { token: recipient.token }),
			201,
		);
		await expectStatus(
			await report(recipient, "chat_message", message.id, "harassment", {
				message: { author_id: sender.id },
			}),
			201,
		);
		await expectStatus(await report(recipient, "post", post, "harassment"), 201);
		// The other way round stays closed: the blocked harasser cannot report the blocker's content.
		const victimPost = await postBy(recipient.id, "Public post by the victim");
		await expectProblem(await report(sender, "post", victimPost, "spam"), 404);
	});

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
	// The Sybil attack of the adversarial review: five accounts made a minute ago report an urgent support
	// request ("I have saved up enough pills…") as spam. It must stay visible to the guides who can answer
	// it and go to the top of the guardians' queue.
	it("five brand-new accounts cannot hide an urgent support request: it stays visible and goes first", async () => {
		const writer = await signUp("sybil-writer");
		const crisis = await createRequest(writer, {
			title: "I can't do this anymore",
			body: "I have saved up enough pills and tonight I am going to take them all. I want to die.",
			category: "depression",
		});
		expect(crisis.request.is_urgent).toBe(true);
		const ordinary = await postBy((await signUp("sybil-ordinary")).id, "Buy followers cheap at my shop");
		for (let i = 0; i < 3; i++) await reported(await signUp(`sybil-other-${i}`), "post", ordinary, "spam");

		const guide = await person("sybil-guide", { role: "guide", trust_level: "good_soil" });
		for (let i = 0; i < 5; i++) {
			await reported(await signUp(`sybil-${i}`), "support_request", crisis.request.id, "spam");
		}
		expect(await moderationStatusOf("support_requests", crisis.request.id)).not.toBe("hidden");
		await expectStatus(
			await call("GET", `/api/v1/support/requests/${crisis.request.id}`, { token: guide.token }),
			200,
		);
		const listed = await expectStatus<{ data: Array<{ id: string }> }>(
			await call("GET", "/api/v1/support/requests?limit=100", { token: guide.token }),
			200,
		);
		expect(listed.data.map((request) => request.id)).toContain(crisis.request.id);

		const item = await queueItemFor("support_request", crisis.request.id);
		expect(item).toMatchObject({ is_hidden: 0, is_urgent: 1, report_count: 5 });
		const queue = await expectStatus<{ data: Array<{ id: string; is_urgent: boolean }> }>(
			await call("GET", "/api/v1/guardians/queue?limit=100", { token: (await guardian("sybil-g")).token }),
			200,
		);
		const firstOrdinary = queue.data.findIndex((entry) => !entry.is_urgent);
		const crisisAt = queue.data.findIndex((entry) => entry.id === item.id);
		expect(crisisAt).toBeGreaterThanOrEqual(0);
		expect(firstOrdinary === -1 || crisisAt < firstOrdinary).toBe(true);
	});

	it("even established reporters never hide urgent content (a crisis post, a self-harm report)", async () => {
		const author = await signUp("urgent-post-author");
		const postId = await postBy(author.id, "I am going to end my life tonight, I have the rope ready");
		await env.DB.prepare("UPDATE posts SET is_urgent = 1 WHERE id = ?").bind(postId).run();
		await reported(await established("flourishing", "urgent-flourisher"), "post", postId, "spam");
		await reported(await established("good_soil", "urgent-soil-1"), "post", postId, "spam");
		await reported(await established("good_soil", "urgent-soil-2"), "post", postId, "spam");
		expect(await moderationStatusOf("posts", postId)).toBe("flagged");
		expect(await queueItemFor("post", postId)).toMatchObject({ is_hidden: 0, is_urgent: 1 });

		// A self-harm report makes an ordinary post urgent: later reports do not hide it either.
		const other = await postBy(author.id, "Nothing matters and nobody would notice if I was gone");
		await reported(await signUp("urgent-worried"), "post", other, "self_harm");
		await reported(await established("good_soil", "urgent-soil-3"), "post", other, "harassment");
		await reported(await established("good_soil", "urgent-soil-4"), "post", other, "harassment");
		expect(await moderationStatusOf("posts", other)).toBe("flagged");
	});

	it("five brand-new accounts cannot hide a public post either", async () => {
		const author = await signUp("sybil-post-author");
		const postId = await postBy(author.id, "My honest opinion about the new community guidelines");
		for (let i = 0; i < 5; i++) await reported(await signUp(`sybil-post-${i}`), "post", postId, "spam");
		expect(await queueItemFor("post", postId)).toMatchObject({ score: 5, report_count: 5, is_hidden: 0 });
		expect(await moderationStatusOf("posts", postId)).toBe("flagged");
	});

	it("gives no hide weight to new accounts by age or by activity, whatever their level", async () => {
		const author = await signUp("new-weight-author");
		const cases: Array<[string, Record<string, string>, number, number]> = [
			// label, columns, visible posts, expected hide weight
			["sprout-old-active", { created_at: "2026-01-01T00:00:00.000Z" }, 5, 0],
			["growing-young", { trust_level: "growing" }, 5, 0],
			["growing-idle", { trust_level: "growing", created_at: "2026-01-01T00:00:00.000Z" }, 4, 0],
			["soil-young", { trust_level: "good_soil" }, 5, 0],
			["growing-established", { trust_level: "growing", created_at: "2026-01-01T00:00:00.000Z" }, 5, 2],
			["soil-established", { trust_level: "good_soil", created_at: "2026-01-01T00:00:00.000Z" }, 5, 3],
			["guardian-new", { role: "guardian" }, 0, 6],
		];
		for (const [label, columns, postCount, expected] of cases) {
			const reporter = await person(label, columns);
			for (let i = 0; i < postCount; i++) await postBy(reporter.id);
			const created = await reported(reporter, "post", await postBy(author.id), "other");
			const row = await env.DB.prepare("SELECT hide_weight FROM reports WHERE id = ?")
				.bind(created.id)
				.first<{ hide_weight: number }>();
			expect(row?.hide_weight, label).toBe(expected);
		}
	});

	it("hides once established reporters' weight reaches 5 (three growing), not before, and logs it once", async () => {
		const author = await signUp("hide-author");
		const postId = await postBy(author.id);
		for (let i = 0; i < 4; i++) await reported(await signUp(`hide-sprout-${i}`), "post", postId, "other");
		await reported(await established("growing", "hide-growing-1"), "post", postId, "other");
		await reported(await established("growing", "hide-growing-2"), "post", postId, "other");
		expect(await queueItemFor("post", postId)).toMatchObject({ score: 8, is_hidden: 0 });
		expect(await moderationStatusOf("posts", postId)).toBe("flagged");

		await reported(await established("growing", "hide-growing-3"), "post", postId, "other");
		expect(await queueItemFor("post", postId)).toMatchObject({ is_hidden: 1 });
		expect(await moderationStatusOf("posts", postId)).toBe("hidden");

		await reported(await established("growing", "hide-growing-4"), "post", postId, "other");
		const hides = (await auditEntries(postId)).filter((entry) => entry.action === "hide_content");
		expect(hides).toHaveLength(1);
		expect(hides[0]).toMatchObject({ actor_id: null, target_type: "post", target_user_id: author.id });
	});

	it("hides at once on weight: two established good_soil reports (3 + 3)", async () => {
		const author = await signUp("hide-soil-author");
		const postId = await postBy(author.id);
		await reported(await established("good_soil", "soil-1"), "post", postId, "misinformation");
		expect(await moderationStatusOf("posts", postId)).toBe("flagged");
		await reported(await established("good_soil", "soil-2"), "post", postId, "misinformation");
		expect(await moderationStatusOf("posts", postId)).toBe("hidden");
	});

	it("hides at once on a spam or harassment report by a flourishing member, not for other reasons", async () => {
		const author = await signUp("flourish-author");
		const flourishing = await established("flourishing", "flourisher");
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
