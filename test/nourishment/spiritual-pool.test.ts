/**
 * The evergreen pick respects the spiritual opt-in: someone who has not opted in gets a secular item even
 * when the date's index into the whole pool would land on a spiritual one; an opted-in user draws from the
 * whole pool. The pool is built so that the two answers must differ (its own file: a fresh pool).
 */
import { describe, expect, it } from "vitest";
import { dailyIndex } from "../../src/modules/nourishment/service";
import { call, expectStatus, setUserColumns, signUp } from "../support/api";

type Today = { date: string; item: { id: string; is_spiritual: boolean } };

describe("the evergreen pool and spiritual content", () => {
	it("skips spiritual items for those not opted in, and includes them for those who are", async () => {
		const guardian = await signUp("pool-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		const date = new Date().toISOString().slice(0, 10);
		const create = async (body: Record<string, unknown>) =>
			expectStatus<{ id: string }>(
				await call("POST", "/api/v1/nourishment", {
					token: guardian.token,
					body: { title: "Item", content_type: "reflection", category: "hope", ...body },
				}),
				201,
			);
		// 1 secular item and enough spiritual ones that today's pick from the WHOLE pool is spiritual:
		// ignoring the opt-in would then show a spiritual item.
		const secular = await create({ title: "Secular" });
		const spiritual: string[] = [];
		const wholePool = () => [secular.id, ...spiritual].sort();
		while (spiritual.length < 5 || wholePool()[dailyIndex(date, wholePool().length)] === secular.id) {
			spiritual.push(
				(await create({ title: `Psalm ${spiritual.length}`, content_type: "scripture", is_spiritual: true }))
					.id,
			);
		}

		const anonymous = await expectStatus<Today>(await call("GET", "/api/v1/nourishment/today"), 200);
		expect(anonymous.item.id).toBe(secular.id);
		const notOptedIn = await signUp("pool-secular");
		const forSecular = await expectStatus<Today>(
			await call("GET", "/api/v1/nourishment/today", { token: notOptedIn.token }),
			200,
		);
		expect(forSecular.item.id).toBe(secular.id);

		const believer = await signUp("pool-believer");
		await setUserColumns(believer.id, { spiritual_opt_in: 1 });
		const forBeliever = await expectStatus<Today>(
			await call("GET", "/api/v1/nourishment/today", { token: believer.token }),
			200,
		);
		const whole = wholePool();
		expect(forBeliever.item.id).toBe(whole[dailyIndex(date, whole.length)]);
		expect(forBeliever.item.is_spiritual).toBe(true);
	});
});
