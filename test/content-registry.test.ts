/**
 * The registry of moderated content (src/db/content-kinds.ts): every kind of user-generated content is
 * declared once, beside its table, and every mechanism that handles content follows from it. These tests
 * fail when a kind is added without the rest following: the re-check, report targets, the queue's
 * snapshots (the same evidence whichever path queues it), erasure and export.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RECHECK_KINDS } from "../src/core/moderation/recheck";
import { contentSnapshot } from "../src/db/content";
import { CONTENT_KINDS, D1_CONTENT_KINDS } from "../src/db/content-kinds";
import { REPORT_TARGET_TYPES } from "../src/db/tables/guardians";
import { anonymousSharesSql, erasureSql } from "../src/modules/privacy/erase";
import { COLLECTIONS } from "../src/modules/privacy/export";
import { queueItemFor, reported } from "./guardians/helpers";
import { call, expectStatus, signUp } from "./support/api";

describe("the registry of content kinds", () => {
	it("declares every reportable type exactly once", () => {
		expect(Object.keys(CONTENT_KINDS).sort()).toEqual([...REPORT_TARGET_TYPES].sort());
		for (const [type, kind] of Object.entries(CONTENT_KINDS)) expect(kind.type).toBe(type);
	});

	it("re-checks every kind that carries a moderation status, each through its partial index", async () => {
		const moderated = D1_CONTENT_KINDS.filter((kind) => kind.moderated).map((kind) => kind.type);
		expect(RECHECK_KINDS.map((kind) => kind.type)).toEqual(moderated);
		expect(moderated.length).toBeGreaterThanOrEqual(9);
		for (const kind of RECHECK_KINDS) {
			const plan = await env.DB.prepare(
				`EXPLAIN QUERY PLAN SELECT * FROM ${kind.tableName} WHERE moderation_status = 'unchecked' ORDER BY id LIMIT 25`,
			).all<{ detail: string }>();
			expect(plan.results.map((row) => row.detail).join(" "), kind.tableName).toContain(
				`${kind.tableName}_unchecked_idx`,
			);
		}
	});

	it("is covered by the account erasure and the data export, by author", () => {
		// Statements joined with ";" so that a match never spans two of them.
		const erasure = [...erasureSql("first"), ...anonymousSharesSql()].join(";\n");
		const exported = COLLECTIONS.map((collection) => collection.sql).join(";\n");
		for (const kind of D1_CONTENT_KINDS) {
			// Nothing links a support request to anyone; the profile is the export's own `profile` section and,
			// on deletion, becomes the tombstone.
			if (!kind.author || kind.erasure === "account") continue;
			const byAuthor = new RegExp(`\\b${kind.tableName}\\b[^;]*\\b${kind.author.name}\\s*=\\s*\\?1`, "s");
			expect(exported, `${kind.tableName} in the export`).toMatch(byAuthor);
			// Kept kinds stay, signed "Former member" (core/authors).
			if (kind.erasure === "remove" || kind.erasure === "anonymous-later") {
				expect(erasure, `${kind.tableName} removed by author`).toMatch(byAuthor);
			}
		}
	});

	it("takes each snapshot column from its own table (a declaration cannot name another table's column)", () => {
		for (const kind of D1_CONTENT_KINDS) {
			const row = Object.fromEntries(
				Object.keys(kind.table).map((key) => [key, "2026-11-27T09:41:12.345Z"]),
			) as Record<string, unknown>;
			expect(() => contentSnapshot(kind, row), kind.tableName).not.toThrow();
		}
	});
});

describe("one snapshot, whichever path queues the content", () => {
	// The registry's reason to exist: a Sunlight share's snapshot used to differ between creation, report
	// and re-check.
	it("queues the same evidence when ML flags a share as when someone reports it", async () => {
		const author = await signUp("snapshot-author");
		const created = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/sunlight", {
				token: author.token,
				body: { share_type: "win", body: "You are such a loser if you skip leg day", anonymous: false },
			}),
			201,
		);
		const flagged = JSON.parse(String((await queueItemFor("sunlight_share", created.id)).content_snapshot));
		const row = await env.DB.prepare("SELECT * FROM sunlight_shares WHERE id = ?")
			.bind(created.id)
			.first<Record<string, unknown>>();
		expect(row).toBeTruthy();
		expect(Object.keys(flagged).sort()).toEqual(
			CONTENT_KINDS.sunlight_share.snapshot.map((column) => column.name).sort(),
		);
		expect(flagged).toMatchObject({ body: "You are such a loser if you skip leg day", is_anonymous: false });

		// A report of a resolved item re-takes the snapshot from the row: it must read the same.
		await env.DB.prepare("UPDATE moderation_queue_items SET status = 'resolved' WHERE target_id = ?")
			.bind(created.id)
			.run();
		await reported(await signUp("snapshot-reporter"), "sunlight_share", created.id, "harassment");
		const reportedSnapshot = JSON.parse(
			String((await queueItemFor("sunlight_share", created.id)).content_snapshot),
		);
		expect(reportedSnapshot).toEqual(flagged);
	});
});
