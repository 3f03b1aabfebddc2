/**
 * @module EventRsvp: one Durable Object per fellowship event (`idFromName(event_id)`), the authority on its
 * RSVPs. Called over Workers RPC from `src/modules/fellowship/rsvp-client.ts`.
 *
 * - Each step (set an RSVP, withdraw a member, adopt new terms) is one `transactionSync` over the object's
 *   SQLite (see `rsvp-ledger.ts`): steps never interleave, so `going` never exceeds the capacity and the
 *   waitlist stays FIFO under any concurrency, and nothing is lost when the object is evicted.
 * - After a step, the call waits until D1 mirrors it (`rsvp-mirror.ts`). Concurrent calls share one
 *   mirror write at a time: a call whose change is not in the write in flight waits for the next one,
 *   which carries every change made meanwhile. If D1 fails, the call still answers (the object is the
 *   authority) and an alarm retries the mirror.
 */
import { DurableObject } from "cloudflare:workers";
import { requestNotificationPushes } from "../src/core/push-jobs";
import type { PlatformBindings } from "../src/lib/bindings";
import { newId } from "../src/lib/ids";
import { logEvent } from "../src/lib/log";
import { type PersonStreamBindings, pokeStreams } from "./person-stream";
import type { EventTerms, RsvpChoice, RsvpSnapshot, SetRsvpResult } from "./rsvp-contract";
import { RsvpLedger } from "./rsvp-ledger";
import { writeMirror } from "./rsvp-mirror";

/** How soon the alarm retries a mirror write that failed. */
const MIRROR_RETRY_MS = 5_000;

/** The object's bindings: the platform's, and the live streams (a person promoted from the waitlist is told). */
export type EventRsvpBindings = PlatformBindings & PersonStreamBindings;

export class EventRsvp extends DurableObject<EventRsvpBindings> {
	private readonly ledger: RsvpLedger;
	/** The mirror write in flight, if any. */
	private mirroring: Promise<void> | undefined;

	constructor(ctx: DurableObjectState, env: EventRsvpBindings) {
		super(ctx, env);
		this.ledger = new RsvpLedger(ctx.storage.sql, () => newId());
		// Changes an earlier instance made but did not mirror (evicted mid-write): catch up soon.
		const event = this.ledger.event();
		if (event && event.mirrored_seq < event.seq) {
			ctx.blockConcurrencyWhile(() => ctx.storage.setAlarm(Date.now() + 100));
		}
	}

	/** Sets the caller's RSVP. `going` at capacity answers `waitlisted` with a FIFO position. */
	async setRsvp(terms: EventTerms, userId: string, choice: RsvpChoice): Promise<SetRsvpResult> {
		const now = new Date();
		const { value, seq } = this.step(() => {
			const event = this.ledger.applyTerms(terms);
			const state = this.ledger.isOpen(event, now);
			if (state !== "open") return { ok: false as const, reason: state };
			const changed = this.ledger.choose(userId, choice, now);
			return { ok: true as const, changed, mine: this.ledger.mine(userId), counts: this.ledger.counts() };
		});
		await this.mirrorThrough(seq);
		return value;
	}

	/**
	 * A member left or was removed from the group: they are no longer going (or waiting); a freed seat goes
	 * to the head of the waitlist in the same step.
	 */
	async withdraw(terms: EventTerms, userId: string): Promise<RsvpSnapshot> {
		const now = new Date();
		const { value, seq } = this.step(() => {
			const event = this.ledger.applyTerms(terms);
			const current = this.ledger.row(userId);
			if (this.ledger.isOpen(event, now) === "open" && current && current.status !== "not_going") {
				this.ledger.choose(userId, "not_going", now);
			}
			return { mine: this.ledger.mine(userId), counts: this.ledger.counts() };
		});
		await this.mirrorThrough(seq);
		return value;
	}

	/** Adopts edited terms (capacity, end, cancellation); a raised capacity promotes from the waitlist. */
	async updateTerms(terms: EventTerms): Promise<RsvpSnapshot["counts"]> {
		const { value, seq } = this.step(() => {
			this.ledger.applyTerms(terms);
			return this.ledger.counts();
		});
		await this.mirrorThrough(seq);
		return value;
	}

	/** Counts and the caller's status and waitlist position. */
	async snapshot(terms: EventTerms, userId: string): Promise<RsvpSnapshot> {
		const { value, seq } = this.step(() => {
			this.ledger.applyTerms(terms);
			return { mine: this.ledger.mine(userId), counts: this.ledger.counts() };
		});
		await this.mirrorThrough(seq);
		return value;
	}

	override async alarm(): Promise<void> {
		const event = this.ledger.event();
		if (event) await this.mirrorThrough(event.seq);
	}

	private step<T>(body: () => T): { value: T; seq: number } {
		return this.ctx.storage.transactionSync(() => this.ledger.step(body));
	}

	/** Waits until D1 mirrors every change up to `seq`; on a D1 failure schedules a retry and returns. */
	private async mirrorThrough(seq: number): Promise<void> {
		while ((this.ledger.event()?.mirrored_seq ?? seq) < seq) {
			this.mirroring ??= this.mirrorOnce().finally(() => {
				this.mirroring = undefined;
			});
			try {
				await this.mirroring;
			} catch (error) {
				logEvent("warn", "rsvp_mirror_failed", {
					event_id: this.ledger.event()?.event_id,
					error: error instanceof Error ? error.message : String(error),
				});
				await this.ctx.storage.setAlarm(Date.now() + MIRROR_RETRY_MS);
				return;
			}
		}
	}

	private async mirrorOnce(): Promise<void> {
		const event = this.ledger.event();
		if (!event || event.mirrored_seq >= event.seq) return;
		const upTo = event.seq;
		const now = new Date();
		const promoted = await writeMirror(
			this.env.DB,
			{
				eventId: event.event_id,
				seq: upTo,
				counts: this.ledger.counts(),
				rows: this.ledger.changedSince(event.mirrored_seq),
			},
			now,
		);
		this.ledger.markMirrored(upTo);
		// The people moved from the waitlist were told in that batch: their live streams look now and their
		// pushes are queued (no request collects them: the write is this object's). The caller never waits.
		if (promoted.length > 0) {
			this.ctx.waitUntil(
				Promise.all([
					pokeStreams(this.env.PERSON_STREAM, promoted),
					requestNotificationPushes(this.env, promoted, now),
				]),
			);
		}
	}
}
