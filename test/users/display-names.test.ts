/**
 * Display names that pass themselves off as staff, hide their direction, or show nothing are refused
 * (422 naming `body/display_name`): staff words in any disguise (look-alike letters, spacing, digits), a
 * guardian's name or a look-alike of it, bidi overrides, only invisible characters. Ordinary names that
 * merely contain those letters pass. A sign-in name that breaks the rules becomes `Sprout xxxx`.
 */
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

const rename = (user: TestUser, displayName: string) =>
	call("PATCH", "/api/v1/users/me", { token: user.token, body: { display_name: displayName } });

describe("display names", () => {
	it.each([
		"Guardian",
		"guardian_jane",
		"Guаrdiаn Jane", // Cyrillic а
		"G u a r d i a n",
		"Gu4rd1an",
		"ＧＵＡＲＤＩＡＮ", // fullwidth
		"Moderator Sam",
		"m.o.d.e.r.a.t.o.r",
		"Admin",
		"SuperAdmin",
		"a d m i n",
		"Site Administrator",
		"Flourish Team",
		"Fl0urish Support",
		"Official",
		"mod",
		"Staff",
	])("refuses %j for a member", async (name) => {
		const user = await signUp("name-staff");
		const problem = await expectProblem(await rename(user, name), 422);
		expect(problem.errors).toEqual([
			expect.objectContaining({ field: "body/display_name", message: expect.stringMatching(/staff/) }),
		]);
	});

	it.each([
		["a right-to-left override", "Sam\u202Enaidraug"],
		["an isolate", "Sam \u2067Jane\u2069"],
		["only zero-width spaces", "\u200B\u200B\u200B"],
		["only a soft hyphen and a word joiner", "\u00AD\u2060"],
	])("refuses a name with %s", async (_, name) => {
		const user = await signUp("name-hidden");
		const problem = await expectProblem(await rename(user, name), 422);
		expect(problem.errors).toEqual([expect.objectContaining({ field: "body/display_name" })]);
	});

	it.each([
		"Badminton Bob",
		"Modesty Blaise",
		"Staffordshire Sam",
		"Jane Guard",
		"Bernard",
		"Мария Иванова",
		"Zoë 🌻",
		"محمد",
		"J. R. R. Tolkien",
	])("accepts the ordinary name %j", async (name) => {
		const user = await signUp("name-ordinary");
		expect((await expectStatus<{ display_name: string }>(await rename(user, name), 200)).display_name).toBe(
			name,
		);
	});

	it("refuses a guardian's name and its look-alikes, but not a different name", async () => {
		const guardian = await signUp("name-guardian", { name: "Rowan Ellery" });
		await setUserColumns(guardian.id, { role: "guardian" });
		const user = await signUp("name-copycat");
		for (const copy of [
			"Rowan Ellery",
			"rowan ellery",
			"Rоwаn Ellеry",
			"R0wan 3llery",
			"Rowan  Ellery",
			"RowanEllery",
		]) {
			const problem = await expectProblem(await rename(user, copy), 422);
			expect(problem.errors, copy).toEqual([
				expect.objectContaining({ message: "must not read as a guardian's name" }),
			]);
		}
		await expectStatus(await rename(user, "Rowan Ellison"), 200);
		// The guardian keeps their own name, and guardians may use staff words.
		await expectStatus(await rename(guardian, "Rowan Ellery"), 200);
		await expectStatus(await rename(guardian, "Guardian Rowan"), 200);
	});

	it("falls back to Sprout xxxx when the sign-in name claims staff or a guardian's name", async () => {
		const guardian = await signUp("name-signin-guardian", { name: "Marlowe Quinn" });
		await setUserColumns(guardian.id, { role: "guardian" });
		for (const name of ["Flourish Admin", "Marlowe Quinn", "Sam\u202Eevil"]) {
			const me = await expectStatus<{ display_name: string }>(
				await call("GET", "/api/v1/users/me", { token: (await signUp("name-signin", { name })).token }),
				200,
			);
			expect(me.display_name, name).toMatch(/^Sprout [0-9a-f]{4}$/);
		}
	});
});
