/**
 * Quiet hours: wall times in the person's own time zone during which nothing is pushed to them but guardian
 * alerts; the list still records everything. Set through the notification preferences (`quiet_hours`, null
 * ends them), validated strictly, crossing midnight when `end` is before `start` (the start minute is inside,
 * the end minute is not).
 *
 * `deliverPushJob(env, job, now)` takes the clock: a `now` that pushes stays within 12 hours of the real one,
 * because the VAPID token it signs expires 12 hours after it and the stand-in checks that against its clock.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deliverPushJob } from "../../src/modules/push";
import { localMinute } from "../../src/modules/push/quiet-hours";
import { createRequest } from "../anonymous-support/helpers";
import { guardian } from "../guardians/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { eventually } from "../support/eventually";
import { commentOn, notificationList, postOf, subscribe, writeNotification } from "./flows";
import { newReceiver, pause, type Receiver } from "./helpers";

const PREFERENCES = "/api/v1/notifications/preferences";
const NOTHING = { delivered: 0, removed: 0, failed: 0, retry: 0 };

type Preferences = { types: Record<string, { in_app: boolean; push: boolean }>; quiet_hours: unknown };

const patch = (user: TestUser, body: unknown) => call("PATCH", PREFERENCES, { token: user.token, body });
const preferences = async (user: TestUser) =>
	expectStatus<Preferences>(await call("GET", PREFERENCES, { token: user.token }), 200);

const wall = (minute: number) => {
	const m = ((minute % 1440) + 1440) % 1440;
	return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
};

/** The instant within 12 hours of now (either way) at which the wall clock in `zone` reads `hhmm`. */
function nearest(zone: string, hhmm: string): Date {
	const target = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
	const base = Math.floor(Date.now() / 60_000) * 60_000;
	const delta = ((((target - localMinute(zone, new Date(base)) + 719) % 1440) + 1440) % 1440) - 719;
	let at = new Date(base + delta * 60_000);
	// A daylight saving change in between moves the wall clock by an hour.
	for (const shift of [60, -60]) {
		if (localMinute(zone, at) !== target) at = new Date(at.getTime() + shift * 60_000);
	}
	expect(localMinute(zone, at)).toBe(target);
	return at;
}

/** Quiet hours around the present moment in `zone` (two hours either side). */
const quietAroundNow = (zone: string) => {
	const minute = localMinute(zone, new Date());
	return { start: wall(minute - 120), end: wall(minute + 120) };
};

/** A person in `zone` with one subscribed receiver and, if given, quiet hours. */
async function person(label: string, zone: string, quiet?: { start: string; end: string }) {
	const user = await signUp(label);
	await setUserColumns(user.id, { timezone: zone });
	const receiver: Receiver = await newReceiver();
	await subscribe(user, receiver);
	if (quiet) await expectStatus(await patch(user, { quiet_hours: quiet }), 200);
	return { user, receiver };
}

describe("abuse: quiet hours that are not wall times", () => {
	it.each([
		["an hour past 23", { start: "25:00", end: "07:00" }],
		["24:00", { start: "22:00", end: "24:00" }],
		["a minute past 59", { start: "22:60", end: "07:00" }],
		["a single-digit hour", { start: "7:00", end: "08:00" }],
		["seconds", { start: "22:00:00", end: "07:00" }],
		["start equal to end", { start: "22:00", end: "22:00" }],
		["an unknown field", { start: "22:00", end: "07:00", zone: "UTC" }],
		["no end", { start: "22:00" }],
		["numbers", { start: 2200, end: 700 }],
		["a string", "22:00-07:00"],
		["an empty object", {}],
	])("refuses %s (422) and keeps what was set", async (_, quiet) => {
		const user = await signUp("quiet-invalid");
		await expectStatus(await patch(user, { quiet_hours: { start: "21:00", end: "06:00" } }), 200);
		await expectProblem(await patch(user, { quiet_hours: quiet }), 422);
		expect((await preferences(user)).quiet_hours).toEqual({ start: "21:00", end: "06:00" });
	});

	it("refuses an unknown top-level field and an empty change (422)", async () => {
		const user = await signUp("quiet-invalid-body");
		await expectProblem(await patch(user, { quiet: { start: "22:00", end: "07:00" } }), 422);
		await expectProblem(await patch(user, {}), 422);
		await expectProblem(await call("PATCH", PREFERENCES, { body: { quiet_hours: null } }), 401);
	});
});

describe("setting quiet hours", () => {
	it("GET answers them (null until set); types alone leave them; null ends them", async () => {
		const user = await signUp("quiet-set");
		expect((await preferences(user)).quiet_hours).toBeNull();
		const set = await expectStatus<Preferences>(
			await patch(user, { quiet_hours: { start: "22:00", end: "07:00" } }),
			200,
		);
		expect(set.quiet_hours).toEqual({ start: "22:00", end: "07:00" });
		expect((await preferences(user)).quiet_hours).toEqual({ start: "22:00", end: "07:00" });
		const typesOnly = await expectStatus<Preferences>(
			await patch(user, { types: { comment: { push: false } } }),
			200,
		);
		expect(typesOnly.quiet_hours).toEqual({ start: "22:00", end: "07:00" });
		expect(typesOnly.types.comment).toEqual({ in_app: true, push: false });
		const changed = await expectStatus<Preferences>(
			await patch(user, { quiet_hours: { start: "23:15", end: "06:45" } }),
			200,
		);
		expect(changed.quiet_hours).toEqual({ start: "23:15", end: "06:45" });
		const ended = await expectStatus<Preferences>(await patch(user, { quiet_hours: null }), 200);
		expect(ended.quiet_hours).toBeNull();
		expect((await preferences(user)).quiet_hours).toBeNull();
		expect((await preferences(user)).types.comment).toEqual({ in_app: true, push: false });
	});
});

describe("inside quiet hours", () => {
	it("a comment is in the list but not pushed; outside them the same job pushes it", async () => {
		const zone = "Asia/Kolkata";
		const { user: author, receiver } = await person("quiet-comment", zone, quietAroundNow(zone));
		const commenter = await signUp("quiet-commenter");
		const post = await postOf(author);
		const since = new Date();
		await commentOn(commenter, post.id);
		expect((await notificationList(author)).map((n) => n.subject)).toContainEqual({
			type: "post",
			id: post.id,
		});
		const job = { push: "notifications", userId: author.id, since: since.toISOString() } as const;
		expect(await deliverPushJob(env, job, new Date())).toEqual(NOTHING);
		await pause(2_000);
		expect((await receiver.inbox()).messages).toEqual([]);
		// Three hours on, the quiet hours are over: the same job pushes it, once.
		const later = new Date(Date.now() + 3 * 60 * 60 * 1000);
		expect(await deliverPushJob(env, job, later)).toMatchObject({ delivered: 1 });
		const inbox = await receiver.inbox();
		expect(inbox.messages).toHaveLength(1);
		expect(inbox.messages[0]?.payload).toMatchObject({ type: "comment", url: `/posts/${post.id}` });
	});

	it("a guardian alert is still pushed, through the queue", async () => {
		const zone = "Europe/Berlin";
		const watcher = await guardian("quiet-guardian");
		await setUserColumns(watcher.id, { timezone: zone });
		const receiver = await newReceiver();
		await subscribe(watcher, receiver);
		await expectStatus(await patch(watcher, { quiet_hours: quietAroundNow(zone) }), 200);
		const writer = await signUp("quiet-alert-writer");
		await createRequest(writer, {
			title: "I can't go on",
			body: "I have saved up enough pills and tonight I am going to take them all. I want to die.",
			category: "depression",
		});
		const isAlert = (payload: unknown) => (payload as { type?: string } | null)?.type === "guardian_alert";
		const inbox = await eventually(
			receiver.inbox,
			(value) => value.messages.some((m) => isAlert(m.payload)),
			20,
		);
		const alert = inbox.messages.find((m) => isAlert(m.payload));
		expect(alert?.headers.urgency).toBe("high");
		const listed = (await notificationList(watcher))
			.filter((n) => n.type === "guardian_alert")
			.map((n) => n.id);
		expect(listed).toContain((alert?.payload as { notification_id?: string } | undefined)?.notification_id);
	});

	it("only the guardian alert of a job goes out; the comment waits in the list", async () => {
		const zone = "America/Sao_Paulo";
		const watcher = await guardian("quiet-guardian-mixed");
		await setUserColumns(watcher.id, { timezone: zone });
		const receiver = await newReceiver();
		await subscribe(watcher, receiver);
		await expectStatus(await patch(watcher, { quiet_hours: quietAroundNow(zone) }), 200);
		const at = new Date();
		const actor = await signUp("quiet-mixed-actor");
		await writeNotification(watcher.id, { actorId: actor.id, at });
		const alert = await writeNotification(watcher.id, {
			type: "guardian_alert",
			subject: { type: "report", id: crypto.randomUUID() },
			at,
		});
		expect(await deliverPushJob(env, alert.job, new Date())).toMatchObject({ delivered: 1, retry: 0 });
		const payloads = (await receiver.inbox()).messages.map((m) => m.payload);
		expect(payloads).toEqual([
			expect.objectContaining({ type: "guardian_alert", notification_id: alert.id }),
		]);
	});
});

describe("a busy job", () => {
	it("a guardian alert behind ten other notifications of the job is still pushed in quiet hours", async () => {
		const zone = "Europe/Lisbon";
		const watcher = await guardian("quiet-guardian-busy");
		await setUserColumns(watcher.id, { timezone: zone });
		const receiver = await newReceiver();
		await subscribe(watcher, receiver);
		await expectStatus(await patch(watcher, { quiet_hours: quietAroundNow(zone) }), 200);
		const at = new Date();
		const actor = await signUp("quiet-busy-actor");
		for (let i = 0; i < 10; i++) await writeNotification(watcher.id, { actorId: actor.id, at });
		const alert = await writeNotification(watcher.id, {
			type: "guardian_alert",
			subject: { type: "report", id: crypto.randomUUID() },
			at: new Date(at.getTime() + 1),
		});
		const job = { push: "notifications", userId: watcher.id, since: at.toISOString() } as const;
		expect(await deliverPushJob(env, job, new Date())).toMatchObject({ delivered: 1, retry: 0 });
		const payloads = (await receiver.inbox()).messages.map((m) => m.payload);
		expect(payloads).toEqual([
			expect.objectContaining({ type: "guardian_alert", notification_id: alert.id }),
		]);
	});
});

describe("across midnight, in the person's own zone", () => {
	it("22:00–07:00 in New York: quiet from 22:00 to 06:59, pushing at 07:00 and 21:59, whatever UTC says", async () => {
		const zone = "America/New_York";
		const { user, receiver } = await person("quiet-midnight", zone, { start: "22:00", end: "07:00" });
		const actor = await signUp("quiet-midnight-actor");
		const first = await writeNotification(user.id, { actorId: actor.id });
		for (const hhmm of ["22:00", "23:30", "00:00", "03:00", "06:59"]) {
			expect(await deliverPushJob(env, first.job, nearest(zone, hhmm)), hhmm).toEqual(NOTHING);
		}
		expect(await deliverPushJob(env, first.job, nearest(zone, "07:00"))).toMatchObject({ delivered: 1 });
		const second = await writeNotification(user.id, { actorId: actor.id });
		expect(await deliverPushJob(env, second.job, nearest(zone, "21:59"))).toMatchObject({ delivered: 1 });
		// 23:30 in UTC is the early evening in New York: not quiet there.
		const third = await writeNotification(user.id, { actorId: actor.id });
		expect(await deliverPushJob(env, third.job, nearest("UTC", "23:30"))).toMatchObject({ delivered: 1 });
		const ids = (await receiver.inbox()).messages.map(
			(m) => (m.payload as { notification_id: string }).notification_id,
		);
		expect(ids).toEqual([first.id, second.id, third.id]);
	});

	it("the same hours in UTC for a person whose zone is UTC: 23:30 UTC is quiet", async () => {
		const { user, receiver } = await person("quiet-utc", "UTC", { start: "22:00", end: "07:00" });
		const { job } = await writeNotification(user.id, { actorId: (await signUp("quiet-utc-actor")).id });
		expect(await deliverPushJob(env, job, nearest("UTC", "23:30"))).toEqual(NOTHING);
		expect(await deliverPushJob(env, job, nearest("UTC", "12:00"))).toMatchObject({ delivered: 1 });
		expect((await receiver.inbox()).messages).toHaveLength(1);
	});

	it("quiet_hours: null ends them at once", async () => {
		const zone = "Australia/Sydney";
		const { user, receiver } = await person("quiet-ended", zone, quietAroundNow(zone));
		const { job } = await writeNotification(user.id, { actorId: (await signUp("quiet-ended-actor")).id });
		expect(await deliverPushJob(env, job, new Date())).toEqual(NOTHING);
		await expectStatus(await patch(user, { quiet_hours: null }), 200);
		expect(await deliverPushJob(env, job, new Date())).toMatchObject({ delivered: 1 });
		expect((await receiver.inbox()).messages).toHaveLength(1);
	});

	it("direct messages keep quiet hours too", async () => {
		const zone = "Asia/Tokyo";
		const { user, receiver } = await person("quiet-dm", zone, quietAroundNow(zone));
		const sender = await signUp("quiet-dm-sender");
		const job = {
			push: "message",
			userId: user.id,
			senderId: sender.id,
			messageId: crypto.randomUUID(),
		} as const;
		expect(await deliverPushJob(env, job, new Date())).toEqual(NOTHING);
		expect(await deliverPushJob(env, job, new Date(Date.now() + 3 * 60 * 60 * 1000))).toMatchObject({
			delivered: 1,
		});
		expect((await receiver.inbox()).messages[0]?.payload).toMatchObject({ type: "message" });
	});
});
