/**
 * One event: when and where, the places, and my answer. At capacity "going" joins a FIFO waitlist; my place is
 * shown and kept current without a reload — at once when my live stream says I was promoted, otherwise on focus
 * and every 20 s while I wait (the stream has no frame for a move up the line).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { errorSentence } from "../api/client";
import { PageHeading } from "../pages/PageHeading";
import { eventWhen, placesText, rsvpSentence } from "./display";
import { useEventStream } from "./live";
import { eventKey, type GroupEvent, type RsvpChoice, useEvent, useSetRsvp } from "./queries";
import "./groups.css";

export function EventPage() {
	const { event_id: eventId = "" } = useParams();
	const event = useEvent(eventId);
	if (event.isPending) {
		return (
			<>
				<PageHeading title="Event" />
				<p aria-busy="true">Opening the event…</p>
			</>
		);
	}
	if (event.isError) {
		return (
			<>
				<PageHeading title="Event" />
				<p className="banner banner--error" role="alert">
					{errorSentence(event.error)}
				</p>
				<p>
					<Link to="/groups">Back to groups</Link>
				</p>
			</>
		);
	}
	return <EventDetails event={event.data} />;
}

function EventDetails({ event }: { event: GroupEvent }) {
	const id = useId();
	const client = useQueryClient();
	const rsvp = useSetRsvp(event.id);
	const [announcement, setAnnouncement] = useState("");
	const mine = event.my_rsvp;
	const open = event.status === "scheduled";
	const full = event.rsvp_counts.spots_left === 0;

	useEventStream(event.id, open && mine !== null && mine.status !== "not_going", () => {
		void client.invalidateQueries({ queryKey: eventKey(event.id) });
	});

	// A move off the waitlist that happened elsewhere (someone cancelled) is announced, not only shown.
	const previous = useRef(mine?.status);
	useEffect(() => {
		if (previous.current === "waitlisted" && mine?.status === "going") {
			setAnnouncement("A place opened up: you are going.");
		}
		previous.current = mine?.status;
	}, [mine?.status]);

	const answer = (status: RsvpChoice) => {
		if (rsvp.isPending) return;
		rsvp.mutate(status, {
			onSuccess: (result) => {
				previous.current = result.status;
				setAnnouncement(rsvpSentence({ status: result.status, waitlist_position: result.waitlist_position }));
			},
		});
	};
	const goingLabel = full && mine?.status !== "going" ? "Join the waitlist" : "Going";
	const choices: { status: RsvpChoice; label: string; pressed: boolean }[] = [
		{
			status: "going",
			label: goingLabel,
			pressed: mine?.status === "going" || mine?.status === "waitlisted",
		},
		{ status: "maybe", label: "Maybe", pressed: mine?.status === "maybe" },
		{ status: "not_going", label: "Not going", pressed: mine?.status === "not_going" },
	];

	return (
		<>
			<PageHeading title={event.title}>
				<p className="lede">{eventWhen(event.starts_at, event.ends_at, event.timezone)}</p>
			</PageHeading>
			<p className="visually-hidden" role="status" aria-live="polite">
				{announcement}
			</p>
			{event.status === "cancelled" && (
				<p className="banner banner--error">This event was cancelled. Nothing more to do here.</p>
			)}
			{event.status === "completed" && <p className="banner">This event is over.</p>}

			<dl className="event-facts">
				{event.location && (
					<>
						<dt>Where</dt>
						<dd>{event.location}</dd>
					</>
				)}
				{event.url && (
					<>
						<dt>Join online</dt>
						<dd>
							<a href={event.url} rel="noopener noreferrer" target="_blank">
								{new URL(event.url).host} (opens in a new tab)
							</a>
						</dd>
					</>
				)}
				<dt>Places</dt>
				<dd data-testid="places">{placesText(event.rsvp_counts)}</dd>
			</dl>
			{event.description && <p className="event-description">{event.description}</p>}

			<section aria-labelledby={`${id}-rsvp`} className="card">
				<h2 id={`${id}-rsvp`}>Your answer</h2>
				<p className="rsvp-state" data-testid="my-rsvp">
					{rsvpSentence(mine)}
				</p>
				{mine?.status === "waitlisted" && (
					<p className="rsvp-note">
						If someone who is going changes their answer, the first person waiting takes their place. This
						page updates by itself.
					</p>
				)}
				{open && (
					<fieldset className="rsvp-choices">
						<legend className="visually-hidden">Your answer</legend>
						{choices.map((choice) => (
							<button
								key={choice.status}
								type="button"
								className={choice.pressed ? "button button--primary" : "button"}
								aria-pressed={choice.pressed}
								aria-disabled={rsvp.isPending || undefined}
								onClick={() => answer(choice.status)}
							>
								{choice.label}
							</button>
						))}
					</fieldset>
				)}
				{rsvp.isError && (
					<p className="banner banner--error" role="alert">
						{errorSentence(rsvp.error)}
					</p>
				)}
			</section>
			<p>
				<Link to={`/groups/${event.group_id}`}>Back to the group</Link>
			</p>
		</>
	);
}
