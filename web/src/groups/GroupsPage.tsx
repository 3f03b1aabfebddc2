/** Groups: find a group by words (or the most popular), and the groups I belong to. */
import { type FormEvent, useId, useState } from "react";
import { Link } from "react-router";
import { errorSentence } from "../api/client";
import { PageHeading } from "../pages/PageHeading";
import { groupTypeLabel, memberCountText } from "./display";
import { type Group, useGroupSearch, useMyGroups } from "./queries";
import "./groups.css";

export function GroupsPage() {
	const id = useId();
	const [draft, setDraft] = useState("");
	const [q, setQ] = useState("");
	const search = useGroupSearch(q);
	const mine = useMyGroups();

	const submit = (event: FormEvent) => {
		event.preventDefault();
		setQ(draft);
	};

	return (
		<>
			<PageHeading title="Groups">
				<p className="lede">Find people who share what matters to you, and gather with them.</p>
			</PageHeading>

			<section aria-labelledby={`${id}-mine`}>
				<h2 id={`${id}-mine`}>Your groups</h2>
				{mine.isPending && <p aria-busy="true">Looking for your groups…</p>}
				{mine.isError && (
					<p className="banner banner--error" role="alert">
						{errorSentence(mine.error)}
					</p>
				)}
				{mine.data &&
					(mine.data.data.length === 0 ? (
						<p className="empty">You haven't joined a group yet. Find one below.</p>
					) : (
						<GroupList groups={mine.data.data} label="Your groups" />
					))}
			</section>

			<section aria-labelledby={`${id}-find`} className="card">
				<h2 id={`${id}-find`}>Find a group</h2>
				<search>
					<form className="group-search" onSubmit={submit}>
						<div className="field">
							<label htmlFor={`${id}-q`}>Words in the name or description</label>
							<input
								id={`${id}-q`}
								type="search"
								name="q"
								value={draft}
								maxLength={100}
								autoComplete="off"
								onChange={(event) => setDraft(event.target.value)}
							/>
						</div>
						<button type="submit" className="button button--primary">
							Search
						</button>
					</form>
				</search>
				<p className="visually-hidden" role="status" aria-live="polite">
					{search.data && !search.isFetching ? resultsSentence(search.data.data.length, q) : ""}
				</p>
				{search.isError && (
					<p className="banner banner--error" role="alert">
						{errorSentence(search.error)}
					</p>
				)}
				{search.isPending && <p aria-busy="true">Searching…</p>}
				{search.data &&
					(search.data.data.length === 0 ? (
						<p className="empty">{resultsSentence(0, q)} Try other words.</p>
					) : (
						<>
							<h3 className="group-results__title">
								{q.trim() ? `Groups matching “${q.trim()}”` : "Popular groups"}
							</h3>
							<GroupList groups={search.data.data} label="Search results" />
						</>
					))}
			</section>
		</>
	);
}

function resultsSentence(count: number, q: string): string {
	const what = q.trim() ? ` matching “${q.trim()}”` : "";
	if (count === 0) return `No groups${what}.`;
	return count === 1 ? `1 group${what}.` : `${count} groups${what}.`;
}

function GroupList({ groups, label }: { groups: Group[]; label: string }) {
	return (
		<ul className="group-list" aria-label={label}>
			{groups.map((group) => (
				<li key={group.id} className="group-item">
					<Link className="group-item__name" to={`/groups/${group.id}`}>
						{group.name}
					</Link>
					<p className="group-item__meta">
						{groupTypeLabel(group.group_type)} · {memberCountText(group.member_count)}
						{group.visibility !== "public" && " · joining by request"}
						{group.my_membership?.status === "active" && " · you are a member"}
					</p>
					{group.description && <p className="group-item__description">{group.description}</p>}
				</li>
			))}
		</ul>
	);
}
