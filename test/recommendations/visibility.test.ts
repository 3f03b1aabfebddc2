/**
 * Recommendations never offer what I may not see: secret groups, private projects, spiritual content
 * without my opt-in, hidden or removed content, anything of someone I block or who blocks me, deleted or
 * archived things, unverified or suspended Guides, nourishment scheduled for a later day — nor what I
 * already belong to.
 */
import { describe, expect, it } from "vitest";
import { addDays, localToday } from "../../src/lib/local-date";
import { insertGroup, insertRow } from "../ml/fixtures";
import { call, expectStatus, setUserColumns, signUp } from "../support/api";

interface Page {
	data: Array<{ id: string }>;
	ranked_by: string;
}

async function ids(token: string, kind: string): Promise<string[]> {
	const page = await expectStatus<Page>(
		await call("GET", `/api/v1/recommendations?kind=${kind}&limit=50`, { token }),
		200,
	);
	return page.data.map((item) => item.id);
}

describe("recommendation visibility", () => {
	it("groups: only listed, visible ones I am not in, of people I have not blocked", async () => {
		const owner = await signUp("vis-group-owner");
		const blockedOwner = await signUp("vis-group-blocked");
		const blockingOwner = await signUp("vis-group-blocking");
		const me = await signUp("vis-group-me");
		await setUserColumns(me.id, { bio: "meditation and calm" });
		await insertRow("blocks", { blocker_id: me.id, blocked_id: blockedOwner.id });
		await insertRow("blocks", { blocker_id: blockingOwner.id, blocked_id: me.id });
		const text = { description: "Meditation and calm breathing." };
		const visible = await insertGroup(owner.id, { name: "Public calm", ...text });
		const privateListed = await insertGroup(owner.id, {
			name: "Private calm",
			visibility: "private",
			...text,
		});
		const unchecked = await insertGroup(owner.id, {
			name: "Unchecked calm",
			moderation_status: "unchecked",
			...text,
		});
		const hidden = [
			await insertGroup(owner.id, { name: "Secret calm", visibility: "secret", ...text }),
			await insertGroup(owner.id, { name: "Spiritual calm", is_spiritual: 1, ...text }),
			await insertGroup(owner.id, { name: "Hidden calm", moderation_status: "hidden", ...text }),
			await insertGroup(owner.id, { name: "Removed calm", moderation_status: "removed", ...text }),
			await insertGroup(owner.id, { name: "Deleted calm", deleted_at: new Date().toISOString(), ...text }),
			await insertGroup(blockedOwner.id, { name: "Blocked owner's calm", ...text }),
			await insertGroup(blockingOwner.id, { name: "Blocking owner's calm", ...text }),
		];
		const mine = await insertGroup(owner.id, { name: "My calm", ...text });
		await insertRow("group_members", { group_id: mine, user_id: me.id, role: "member", status: "active" });
		const banned = await insertGroup(owner.id, { name: "Banned from calm", ...text });
		await insertRow("group_members", { group_id: banned, user_id: me.id, role: "member", status: "banned" });

		const seen = await ids(me.token, "groups");
		expect(seen).toEqual(expect.arrayContaining([visible, privateListed, unchecked]));
		for (const id of [...hidden, mine, banned]) expect(seen).not.toContain(id);

		// Opting in to spiritual content shows the spiritual group, nothing else changes.
		await setUserColumns(me.id, { spiritual_opt_in: 1 });
		const optedIn = await ids(me.token, "groups");
		expect(optedIn).toContain(hidden[1]);
		expect(optedIn).not.toContain(hidden[0]);
	});

	it("projects: public and members-only ones still going, not private, archived or finished ones", async () => {
		const owner = await signUp("vis-project-owner");
		const me = await signUp("vis-project-me");
		const project = (title: string, extra: Record<string, string | number | null> = {}) =>
			insertRow("projects", {
				owner_id: owner.id,
				title,
				project_type: "wellness",
				moderation_status: "clean",
				...extra,
			});
		const shown = [
			await project("Open"),
			await project("Members only", { visibility: "members_only", status: "active" }),
		];
		const notShown = [
			await project("Private", { visibility: "private" }),
			await project("Archived", { status: "archived", archived_at: new Date().toISOString() }),
			await project("Completed", { status: "completed" }),
			await project("Spiritual", { is_spiritual: 1 }),
			await project("Hidden", { moderation_status: "hidden" }),
		];
		const joined = await project("Joined");
		await insertRow("project_members", {
			project_id: joined,
			user_id: me.id,
			role: "member",
			status: "active",
		});

		const seen = await ids(me.token, "projects");
		expect(seen).toEqual(expect.arrayContaining(shown));
		for (const id of [...notShown, joined]) expect(seen).not.toContain(id);
	});

	it("guides: verified, unsuspended Guides taking mentees, not me, not blocked", async () => {
		const me = await signUp("vis-guide-me");
		const guide = async (label: string, columns: Record<string, string | number | null>, accepting = 1) => {
			const user = await signUp(label);
			await setUserColumns(user.id, { role: "guide", trust_level: "good_soil", ...columns });
			await insertRow("guide_profiles", {
				user_id: user.id,
				headline: "Mindfulness guide",
				accepting_mentees: accepting,
			});
			return user.id;
		};
		const verified = await guide("vis-guide-ok", {});
		const notVerified = [
			await guide("vis-guide-low-trust", { trust_level: "growing" }),
			await guide("vis-guide-plain-user", { role: "user" }),
			await guide("vis-guide-suspended", { suspended_until: "2999-01-01T00:00:00.000Z" }),
			await guide("vis-guide-full", {}, 0),
		];
		const blocked = await guide("vis-guide-blocked", {});
		await insertRow("blocks", { blocker_id: blocked, blocked_id: me.id });
		await setUserColumns(me.id, { role: "guide", trust_level: "good_soil" });
		await insertRow("guide_profiles", { user_id: me.id, headline: "Also a guide" });

		const seen = await ids(me.token, "guides");
		expect(seen).toContain(verified);
		for (const id of [...notVerified, blocked, me.id]) expect(seen).not.toContain(id);
	});

	it("nourishment: evergreen and past items, never tomorrow's, never spiritual without opt-in", async () => {
		const me = await signUp("vis-nourish-me");
		const item = (title: string, extra: Record<string, string | number | null> = {}) =>
			insertRow("nourishment_items", {
				title,
				body: "Breathe.",
				content_type: "quote",
				category: "hope",
				...extra,
			});
		const evergreen = await item("Evergreen");
		const past = await item("Past", { publish_date: "2020-01-01" });
		const future = await item("Future", { publish_date: "2999-01-01" });
		const spiritual = await item("Scripture", { is_spiritual: 1 });
		const deleted = await item("Deleted", { deleted_at: new Date().toISOString() });

		const seen = await ids(me.token, "nourishment");
		expect(seen).toEqual(expect.arrayContaining([evergreen, past]));
		for (const id of [future, spiritual, deleted]) expect(seen).not.toContain(id);
	});

	it("nourishment: a dated item once it is today where I live (far ahead of UTC, far behind, a late day start)", async () => {
		const utcToday = new Date().toISOString().slice(0, 10);
		const dates = [-2, -1, 0, 1].map((days) => addDays(utcToday, days));
		const dated = new Map<string, string>();
		for (const date of dates) {
			dated.set(
				date,
				await insertRow("nourishment_items", {
					title: `Dated ${date}`,
					body: "Breathe.",
					content_type: "quote",
					category: "hope",
					publish_date: date,
				}),
			);
		}
		const places = [
			{ timezone: "Pacific/Kiritimati", day_start_hour: 0 },
			{ timezone: "Pacific/Pago_Pago", day_start_hour: 0 },
			{ timezone: "Pacific/Pago_Pago", day_start_hour: 23 },
		];
		for (const place of places) {
			const me = await signUp("vis-nourish-zone");
			await setUserColumns(me.id, place);
			const seen = await ids(me.token, "nourishment");
			const today = localToday(place.timezone, place.day_start_hour, new Date());
			for (const date of dates) {
				const id = dated.get(date) ?? "";
				if (date <= today) expect(seen, `${place.timezone} ${date}`).toContain(id);
				else expect(seen, `${place.timezone} ${date}`).not.toContain(id);
			}
		}
	});
});
