/**
 * `q` on groups and projects matches every word (in the name/title or description), and never fails
 * however long or odd the query: D1 refuses LIKE patterns over 50 bytes, so words are bounded.
 */
import { describe, expect, it } from "vitest";
import { LIKE_PATTERN_MAX_BYTES, likePatternFor, searchWords } from "../../src/lib/search";
import { call, expectStatus, setUserColumns, signUp } from "../support/api";

describe("search words", () => {
	it("escapes wildcards and keeps every pattern within D1's limit", () => {
		expect(likePatternFor("50%_off")).toBe("%50\\%\\_off%");
		for (const word of ["x".repeat(200), "é".repeat(60), "%".repeat(40), "🌱".repeat(30)]) {
			expect(new TextEncoder().encode(likePatternFor(word)).length).toBeLessThanOrEqual(
				LIKE_PATTERN_MAX_BYTES,
			);
		}
		expect(searchWords("  Calm  calm GARDEN ")).toEqual(["calm", "garden"]);
	});
});

describe("GET /fellowship/groups and /teamup/projects with q", () => {
	it("finds by every word and survives long, repetitive and wildcard-laden queries", async () => {
		const owner = await signUp("search-owner");
		await setUserColumns(owner.id, { trust_level: "good_soil" });
		await expectStatus(
			await call("POST", "/api/v1/fellowship/groups", {
				token: owner.token,
				body: {
					name: "A calm garden club",
					description: "Friends who garden",
					group_type: "interest",
					visibility: "public",
				},
			}),
			201,
		);
		const hits = await expectStatus<{ data: Array<{ name: string }> }>(
			await call("GET", "/api/v1/fellowship/groups?q=garden+calm", { token: owner.token }),
			200,
		);
		expect(hits.data.map((group) => group.name)).toContain("A calm garden club");
		const misses = await expectStatus<{ data: unknown[] }>(
			await call("GET", "/api/v1/fellowship/groups?q=garden+woodworking", { token: owner.token }),
			200,
		);
		expect(misses.data).toEqual([]);
		for (const q of [
			"friends calm calm calm friends calm garden garden",
			"x".repeat(100),
			"%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%",
			"🌱".repeat(50),
		]) {
			for (const path of ["/api/v1/fellowship/groups", "/api/v1/teamup/projects"]) {
				const response = await call("GET", `${path}?q=${encodeURIComponent(q)}`, { token: owner.token });
				expect(response.status, `${path} q=${q}`).toBe(200);
			}
		}
	});
});
