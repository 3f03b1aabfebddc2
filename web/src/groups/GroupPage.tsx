/** One group: what it is, joining it, and its upcoming events. */
import { useEffect, useId, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { errorSentence } from "../api/client";
import { PageHeading } from "../pages/PageHeading";
import {
	eventWhen,
	groupTypeLabel,
	memberCountText,
	membershipState,
	placesText,
	rsvpSentence,
} from "./display";
import { type Group, useGroup, useGroupEvents, useJoinGroup } from "./queries";
import "./groups.css";

export function GroupPage() {
	const { group_id: groupId = "" } = useParams();
	const group = useGroup(groupId);

	if (group.isPending) {
		return (
			<>
				<PageHeading title="Group" />
				<p aria-busy="true">Opening the group…</p>
			</>
		);
	}
	if (group.isError) {
		return (
			<>
				<PageHeading title="Group" />
				<p className="banner banner--error" role="alert">
					{errorSentence(group.error)}
				</p>
				<p>
					<Link to="/groups">Back to groups</Link>
				</p>
			</>
		);
	}
	return <GroupDetails group={group.data} />;
}

function GroupDetails({ group }: { group: Group }) {
	const id = useId();
	const join = useJoinGroup(group.id);
	const [announcement, setAnnouncement] = useState("");
	const state = membershipState(group);
	const mayReadEvents = state.member || group.visibility === "public";
	const events = useGroupEvents(group.id, mayReadEvents);
	// The join button goes once I joined: focus moves to the sentence that replaces it, never to the page's body.
	const statusRef = useRef<HTMLParagraphElement>(null);
	const [focusStatus, setFocusStatus] = useState(false);
	useEffect(() => {
		if (focusStatus && !state.action && statusRef.current) {
			statusRef.current.focus();
			setFocusStatus(false);
		}
	});

	const onJoin = () =>
		join.mutate(undefined, {
			onSuccess: (membership) => {
				setFocusStatus(true);
				setAnnouncement(
					membership.status === "active"
						? `You joined ${group.name}.`
						: "Your request to join was sent. You'll hear back when it is approved.",
				);
			},
		});

	return (
		<>
			<PageHeading title={group.name}>
				<p className="lede">
					{groupTypeLabel(group.group_type)} · {memberCountText(group.member_count)}
				</p>
			</PageHeading>
			<p className="visually-hidden" role="status" aria-live="polite">
				{announcement}
			</p>
			{group.description && <p className="group-description">{group.description}</p>}

			<div className="group-membership">
				{state.status && (
					<p ref={statusRef} className="group-membership__status" tabIndex={-1}>
						{state.status}
					</p>
				)}
				{state.action && (
					<button
						type="button"
						className="button button--primary"
						aria-disabled={join.isPending || undefined}
						onClick={() => !join.isPending && onJoin()}
					>
						{join.isPending ? "Joining…" : state.action}
					</button>
				)}
				{join.isError && (
					<p className="banner banner--error" role="alert">
						{errorSentence(join.error)}
					</p>
				)}
			</div>

			<section aria-labelledby={`${id}-events`} className="card">
				<h2 id={`${id}-events`}>Upcoming events</h2>
				{!mayReadEvents && <p className="empty">Members see this group's events once they join.</p>}
				{mayReadEvents && events.isPending && <p aria-busy="true">Looking for events…</p>}
				{events.isError && (
					<p className="banner banner--error" role="alert">
						{errorSentence(events.error)}
					</p>
				)}
				{events.data &&
					(events.data.data.length === 0 ? (
						<p className="empty">Nothing planned yet.</p>
					) : (
						<ul className="event-list">
							{events.data.data.map((event) => (
								<li key={event.id} className="event-item">
									<Link className="event-item__title" to={`/events/${event.id}`}>
										{event.title}
									</Link>
									<p className="event-item__meta">
										{eventWhen(event.starts_at, event.ends_at, event.timezone)}
									</p>
									<p className="event-item__meta">
										{event.status === "cancelled" ? "Cancelled" : placesText(event.rsvp_counts)}
										{event.my_rsvp && ` · ${rsvpSentence(event.my_rsvp)}`}
									</p>
								</li>
							))}
						</ul>
					))}
			</section>
			<p>
				<Link to="/groups">Back to groups</Link>
			</p>
		</>
	);
}
