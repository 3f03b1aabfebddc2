/** The review queue: what was flagged or reported, and why, urgent first (the API's order). */
import { Link } from "react-router";
import { LoadError } from "../pages/LoadError";
import { PageHeading } from "../pages/PageHeading";
import { type QueueItem, targetText, whyText } from "./display";
import { GuardianGate, isRefusal, NotForYou } from "./GuardianGate";
import { useQueue } from "./queries";

export function QueuePage() {
	return (
		<GuardianGate>
			<Queue />
		</GuardianGate>
	);
}

function Queue() {
	const queue = useQueue();
	if (queue.isError && isRefusal(queue.error)) return <NotForYou />;
	return (
		<>
			<PageHeading title="Review queue">
				<p className="lede">Things held back or reported, the most urgent first. Take your time with each.</p>
			</PageHeading>
			{queue.isPending && <p aria-busy="true">Opening the queue…</p>}
			{queue.isError && <LoadError error={queue.error} onRetry={() => void queue.refetch()} />}
			{queue.data &&
				(queue.data.data.length === 0 ? (
					<p className="empty">Nothing is waiting for review. Thank you for looking after the community.</p>
				) : (
					<ul className="queue">
						{queue.data.data.map((item) => (
							<QueueEntry key={item.id} item={item} />
						))}
					</ul>
				))}
		</>
	);
}

function QueueEntry({ item }: { item: QueueItem }) {
	const headingId = `queue-${item.id}`;
	return (
		<li className={`queue-item${item.is_urgent ? " queue-item--urgent" : ""}`} aria-labelledby={headingId}>
			<h2 id={headingId} className="queue-item__what">
				{item.is_urgent && <span className="queue-item__flag">Urgent: </span>}
				{targetText(item.target_type)}
				{item.author ? ` by ${item.author.display_name}` : ""}
			</h2>
			<p className="queue-item__why">{whyText(item)}</p>
			<p className="queue-item__state">
				{item.is_hidden ? "Hidden from others until you decide." : "Still visible to others."}
			</p>
			<Link className="button button--primary" to={`/guardians/queue/${item.id}`}>
				Review
				<span className="visually-hidden">
					: {targetText(item.target_type).toLowerCase()}
					{item.author ? ` by ${item.author.display_name}` : ""}
				</span>
			</Link>
		</li>
	);
}
