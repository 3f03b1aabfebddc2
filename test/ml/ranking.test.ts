/**
 * Relevance ranking over stored embeddings (src/ml/ranking.ts): vectors land in `content_embeddings`
 * with the text's hash and the model id, later reads reuse them instead of embedding again, an edited
 * text or another model's vector is embedded afresh, and a stored query needs no ML call at all. A warm
 * isolate also remembers vectors by text hash and ranks them again without reading D1; the tests of the
 * stored path forget them first, as a fresh isolate would.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { contentHash, forgetRememberedVectors, rankByRelevance } from "../../src/ml/ranking";
import { countingD1 } from "../support/d1-counter";
import { envWithMl } from "./fixtures";

interface EmbeddingRow {
	target_type: string;
	target_id: string;
	model: string;
	dims: number;
	content_hash: string;
	updated_at: string;
}

const stored = (targetType: string, id: string) =>
	env.DB.prepare("SELECT * FROM content_embeddings WHERE target_type = ? AND target_id = ?")
		.bind(targetType, id)
		.first<EmbeddingRow>();

function groups() {
	const mindful = crypto.randomUUID();
	const wood = crypto.randomUUID();
	return {
		mindful,
		wood,
		items: [
			{
				targetType: "fellowship_group" as const,
				id: wood,
				text: "Woodworking guild: joinery and hand tools",
			},
			{
				targetType: "fellowship_group" as const,
				id: mindful,
				text: "Mindful mornings: meditation and calm breathing",
			},
		],
	};
}

describe("rankByRelevance", () => {
	it("ranks by similarity and stores each candidate's vector with its hash and model", async () => {
		const { mindful, wood, items } = groups();
		const ranked = await rankByRelevance(env, "meditation and sleep", items);
		expect(ranked?.map((item) => item.id)).toEqual([mindful, wood]);
		const row = await stored("fellowship_group", mindful);
		expect(row).toMatchObject({ content_hash: await contentHash(items[1]?.text ?? ""), dims: 512 });
		expect(row?.model).toMatch(/^flourish-hashed-ngrams-512@/);
		// The query had no key: it is not stored.
		expect(
			(
				await env.DB.prepare(
					"SELECT count(*) AS n FROM content_embeddings WHERE target_type = 'user'",
				).first<{ n: number }>()
			)?.n,
		).toBe(0);
	});

	it("reuses stored vectors instead of embedding again", async () => {
		const { mindful, wood, items } = groups();
		const me = { targetType: "user" as const, id: crypto.randomUUID() };
		await rankByRelevance(env, "meditation and sleep", items, { queryKey: me });
		// Overwrite the woodworking vector with the query's own: if it is read back (not recomputed), it wins.
		forgetRememberedVectors();
		await env.DB.prepare(
			"UPDATE content_embeddings SET vector = (SELECT vector FROM content_embeddings WHERE target_type = 'user' AND target_id = ?) WHERE target_type = 'fellowship_group' AND target_id = ?",
		)
			.bind(me.id, wood)
			.run();
		const ranked = await rankByRelevance(env, "meditation and sleep", items, { queryKey: me });
		expect(ranked?.map((item) => item.id)).toEqual([wood, mindful]);
		expect(ranked?.[0]?.score).toBeCloseTo(1, 5);
	});

	it("needs no ML call when the query and every candidate are stored", async () => {
		const { mindful, items } = groups();
		const me = { targetType: "user" as const, id: crypto.randomUUID() };
		const first = await rankByRelevance(env, "meditation and sleep", items, { queryKey: me });
		const offline = await rankByRelevance(envWithMl("ML_THROWS"), "meditation and sleep", items, {
			queryKey: me,
		});
		expect(offline).toEqual(first);
		expect(offline?.[0]?.id).toBe(mindful);
		// Something new to embed: ML is needed again, and its failure means "fall back".
		expect(await rankByRelevance(envWithMl("ML_THROWS"), "woodworking", items, { queryKey: me })).toBeNull();
	});

	it("on a fresh isolate, needs no ML call when D1 holds the query and every candidate", async () => {
		const { mindful, items } = groups();
		const me = { targetType: "user" as const, id: crypto.randomUUID() };
		const first = await rankByRelevance(env, "meditation and sleep", items, { queryKey: me });
		forgetRememberedVectors();
		const counter = countingD1(env.DB);
		const offline = await rankByRelevance(
			{ ...envWithMl("ML_THROWS"), DB: counter.db },
			"meditation and sleep",
			items,
			{ queryKey: me },
		);
		expect(offline).toEqual(first);
		expect(offline?.[0]?.id).toBe(mindful);
		expect(counter.roundTrips).toBe(1);
	});

	it("on a warm isolate, ranks remembered vectors without reading D1 or calling ML", async () => {
		const { mindful, items } = groups();
		const me = { targetType: "user" as const, id: crypto.randomUUID() };
		const first = await rankByRelevance(env, "meditation and sleep", items, { queryKey: me });
		const counter = countingD1(env.DB);
		const again = await rankByRelevance(
			{ ...envWithMl("ML_THROWS"), DB: counter.db },
			"meditation and sleep",
			items,
			{ queryKey: me },
		);
		expect(again).toEqual(first);
		expect(again?.[0]?.id).toBe(mindful);
		expect(counter.roundTrips).toBe(0);
	});

	it("embeds an edited text afresh", async () => {
		const { wood, items } = groups();
		await rankByRelevance(env, "woodworking", items);
		const before = await stored("fellowship_group", wood);
		const edited = items.map((item) =>
			item.id === wood ? { ...item, text: "Pottery studio: clay and glazes" } : item,
		);
		await rankByRelevance(env, "woodworking", edited);
		const after = await stored("fellowship_group", wood);
		expect(after?.content_hash).toBe(await contentHash("Pottery studio: clay and glazes"));
		expect(after?.content_hash).not.toBe(before?.content_hash);
	});

	it("re-embeds a vector stored by another model", async () => {
		const { mindful, wood, items } = groups();
		await rankByRelevance(env, "meditation", items);
		await env.DB.prepare(
			"UPDATE content_embeddings SET model = 'retired-model@0' WHERE target_type = 'fellowship_group' AND target_id = ?",
		)
			.bind(wood)
			.run();
		forgetRememberedVectors();
		const ranked = await rankByRelevance(env, "meditation", items);
		expect(ranked?.map((item) => item.id)).toEqual([mindful, wood]);
		expect((await stored("fellowship_group", wood))?.model).toMatch(/^flourish-hashed-ngrams-512@/);
	});

	it("answers [] for no candidates and ranks each id once", async () => {
		expect(await rankByRelevance(env, "anything", [])).toEqual([]);
		const { items } = groups();
		const ranked = await rankByRelevance(env, "meditation", [...items, ...items]);
		expect(ranked).toHaveLength(2);
	});
});
