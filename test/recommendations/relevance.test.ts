/**
 * Recommendation relevance on fixture users and groups: ranking follows my interests (habits, bio, groups,
 * recent posts), the vectors are stored and reused, and every kind ranks by the same profile.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { insertGroup, insertHabit, insertRow } from "../ml/fixtures";
import { call, expectStatus, setUserColumns, signUp } from "../support/api";

interface Page {
	data: Array<{ kind: string; id: string; score: number | null; name?: string; title?: string }>;
	next_cursor: string | null;
	ranked_by: string;
}

const recommendations = async (token: string, query: string) =>
	expectStatus<Page>(await call("GET", `/api/v1/recommendations?${query}`, { token }), 200);

describe("recommendation relevance", () => {
	it("ranks a mindfulness group above a woodworking group for someone whose habits are meditation and sleep", async () => {
		const owner = await signUp("relevance-owner");
		const wood = await insertGroup(owner.id, {
			name: "Woodworking Guild",
			description: "Build furniture with hand tools: joinery, chisels and sawdust.",
			group_type: "interest",
		});
		const mindful = await insertGroup(owner.id, {
			name: "Mindful Mornings",
			description: "Guided breathing and a calm start to the day.",
			group_type: "wellness",
		});
		const me = await signUp("relevance-me");
		await insertHabit(me.id, "Meditation");
		await insertHabit(me.id, "Sleep by 10pm", "health");

		const page = await recommendations(me.token, "kind=groups&limit=50");
		expect(page.ranked_by).toBe("similarity");
		const order = page.data.map((item) => item.id);
		expect(order.indexOf(mindful)).toBeGreaterThanOrEqual(0);
		expect(order.indexOf(mindful)).toBeLessThan(order.indexOf(wood));
		const scores = page.data.map((item) => item.score ?? -2);
		expect(scores).toEqual([...scores].sort((a, b) => b - a));

		// A woodworker sees the opposite order.
		const woodworker = await signUp("relevance-woodworker");
		await setUserColumns(woodworker.id, { bio: "I build furniture and carve spoons in my workshop." });
		const theirs = (await recommendations(woodworker.token, "kind=groups&limit=50")).data.map(
			(item) => item.id,
		);
		expect(theirs.indexOf(wood)).toBeLessThan(theirs.indexOf(mindful));
	});

	it("stores the profile and candidate vectors, so a repeat read embeds nothing new", async () => {
		const owner = await signUp("relevance-store-owner");
		const group = await insertGroup(owner.id, { name: "Sleep Well", description: "Bedtime routines." });
		const me = await signUp("relevance-store-me");
		await setUserColumns(me.id, { interests: JSON.stringify(["sleep", "rest"]) });
		await recommendations(me.token, "kind=groups");
		const rows = await env.DB.prepare(
			"SELECT target_type, updated_at FROM content_embeddings WHERE (target_type = 'user' AND target_id = ?) OR (target_type = 'fellowship_group' AND target_id = ?) ORDER BY target_type",
		)
			.bind(me.id, group)
			.all<{ target_type: string; updated_at: string }>();
		expect(rows.results.map((row) => row.target_type)).toEqual(["fellowship_group", "user"]);
		await recommendations(me.token, "kind=groups");
		const again = await env.DB.prepare(
			"SELECT target_type, updated_at FROM content_embeddings WHERE (target_type = 'user' AND target_id = ?) OR (target_type = 'fellowship_group' AND target_id = ?) ORDER BY target_type",
		)
			.bind(me.id, group)
			.all<{ target_type: string; updated_at: string }>();
		expect(again.results).toEqual(rows.results);
	});

	it("ranks projects, Guides and nourishment by the same profile", async () => {
		const owner = await signUp("relevance-kinds-owner");
		const run = await insertRow("projects", {
			owner_id: owner.id,
			title: "Couch to 5k together",
			description: "Running plan for beginners, three runs a week.",
			project_type: "wellness",
			moderation_status: "clean",
		});
		const quilt = await insertRow("projects", {
			owner_id: owner.id,
			title: "Community quilt",
			description: "Sewing squares for the library wall.",
			project_type: "creative",
			moderation_status: "clean",
		});
		const coach = await signUp("relevance-coach");
		await setUserColumns(coach.id, { role: "guide", trust_level: "good_soil" });
		await insertRow("guide_profiles", {
			user_id: coach.id,
			headline: "Running coach",
			specialties: JSON.stringify(["running", "fitness"]),
		});
		const poet = await signUp("relevance-poet");
		await setUserColumns(poet.id, { role: "guide", trust_level: "flourishing" });
		await insertRow("guide_profiles", {
			user_id: poet.id,
			headline: "Poetry mentor",
			specialties: JSON.stringify(["writing", "poetry"]),
		});
		const stretch = await insertRow("nourishment_items", {
			title: "Stretch after your run",
			body: "Five minutes of stretching helps runners recover.",
			content_type: "exercise",
			category: "health",
		});
		const verse = await insertRow("nourishment_items", {
			title: "On grief",
			body: "A poem about loss and remembering.",
			content_type: "reflection",
			category: "hope",
		});

		const me = await signUp("relevance-runner");
		await insertHabit(me.id, "Morning run", "health");
		await setUserColumns(me.id, { bio: "Training for my first 10k race." });
		const ranksAbove = (ids: string[], a: string, b: string) =>
			ids.indexOf(a) >= 0 && ids.indexOf(a) < ids.indexOf(b);

		const projects = (await recommendations(me.token, "kind=projects&limit=50")).data.map((item) => item.id);
		expect(ranksAbove(projects, run, quilt)).toBe(true);
		const guides = (await recommendations(me.token, "kind=guides&limit=50")).data.map((item) => item.id);
		expect(ranksAbove(guides, coach.id, poet.id)).toBe(true);
		const items = (await recommendations(me.token, "kind=nourishment&limit=50")).data.map((item) => item.id);
		expect(ranksAbove(items, stretch, verse)).toBe(true);
	});
});
