/**
 * The Orchard: requests waiting for my answer (accept or decline), my conversations with their unread counts,
 * my connections, the requests I sent, and a form to ask someone to connect by their member ID.
 */
import { useState } from "react";
import { Link } from "react-router";
import { errorSentence } from "../api/client";
import { LoadError } from "../pages/LoadError";
import { PageHeading } from "../pages/PageHeading";
import { ConnectForm } from "./ConnectForm";
import { previewText, timeText, unreadBadge, unreadText } from "./display";
import {
	type Connection,
	useAnswerConnection,
	useConnections,
	useConversations,
	useRemoveConnection,
} from "./queries";
import "./orchard.css";

export function OrchardPage() {
	const connections = useConnections();
	const conversations = useConversations();
	const answer = useAnswerConnection();
	const remove = useRemoveConnection();
	const [announcement, setAnnouncement] = useState("");
	const [actionError, setActionError] = useState<string | null>(null);

	const all = connections.data?.data ?? [];
	const incoming = all.filter((each) => each.status === "pending" && each.direction === "incoming");
	const outgoing = all.filter((each) => each.status === "pending" && each.direction === "outgoing");
	const connected = all.filter((each) => each.status === "accepted");
	const talking = conversations.data?.data ?? [];
	const failed = connections.error ?? conversations.error;

	const reply = (connection: Connection, status: "accepted" | "declined") => {
		setActionError(null);
		answer.mutate(
			{ connection, status },
			{
				onSuccess: () =>
					setAnnouncement(
						status === "accepted"
							? `You and ${connection.peer.display_name} are connected.`
							: `Declined ${connection.peer.display_name}'s request.`,
					),
				onError: (error) => setActionError(errorSentence(error)),
			},
		);
	};
	const cancel = (connection: Connection) => {
		setActionError(null);
		remove.mutate(connection, {
			onSuccess: () => setAnnouncement(`Cancelled your request to ${connection.peer.display_name}.`),
			onError: (error) => setActionError(errorSentence(error)),
		});
	};
	const busy = (connection: Connection) =>
		(answer.isPending && answer.variables?.connection.id === connection.id) ||
		(remove.isPending && remove.variables?.id === connection.id);

	return (
		<>
			<PageHeading title="Orchard">
				<p className="lede">The people you're connected with, and your conversations.</p>
			</PageHeading>
			<p className="visually-hidden" role="status" aria-live="polite">
				{announcement}
			</p>
			{actionError && (
				<p className="banner banner--error" role="alert">
					{actionError}
				</p>
			)}
			{failed && (
				<LoadError
					error={failed}
					onRetry={() => void Promise.all([connections.refetch(), conversations.refetch()])}
				/>
			)}
			{(connections.isPending || conversations.isPending) && <p aria-busy="true">Opening your Orchard…</p>}

			{incoming.length > 0 && (
				<section className="card" aria-labelledby="incoming-title">
					<h2 id="incoming-title">Asking to connect with you</h2>
					<ul className="people">
						{incoming.map((connection) => (
							<li key={connection.id} className="person">
								<div>
									<p className="person__name">{connection.peer.display_name}</p>
									{connection.note && <p className="person__note">“{connection.note}”</p>}
								</div>
								<div className="person__actions">
									<button
										type="button"
										className="button button--primary"
										disabled={busy(connection)}
										aria-label={`Accept ${connection.peer.display_name}`}
										onClick={() => reply(connection, "accepted")}
									>
										Accept
									</button>
									<button
										type="button"
										className="button"
										disabled={busy(connection)}
										aria-label={`Decline ${connection.peer.display_name}`}
										onClick={() => reply(connection, "declined")}
									>
										Decline
									</button>
								</div>
							</li>
						))}
					</ul>
				</section>
			)}

			{conversations.data && (
				<section className="card" aria-labelledby="conversations-title">
					<h2 id="conversations-title">Conversations</h2>
					{talking.length === 0 ? (
						<p className="empty">No conversations yet. Once you're connected, say hello.</p>
					) : (
						<ul className="conversations">
							{talking.map((conversation) => (
								<li key={conversation.conversation_id} className="conversation">
									<Link
										className="conversation__link"
										to={`/orchard/${conversation.peer.id}`}
										aria-describedby={`preview-${conversation.conversation_id}`}
									>
										<span className="conversation__name">{conversation.peer.display_name}</span>
										{conversation.unread_count > 0 && (
											<>
												<span className="badge" aria-hidden="true">
													{unreadBadge(conversation.unread_count)}
												</span>
												<span className="visually-hidden">, {unreadText(conversation.unread_count)}</span>
											</>
										)}
									</Link>
									<p className="conversation__preview" id={`preview-${conversation.conversation_id}`}>
										{previewText(conversation.last_message.preview)}
										<span className="conversation__time">
											{" · "}
											<time dateTime={conversation.last_message.sent_at}>
												{timeText(conversation.last_message.sent_at)}
											</time>
										</span>
									</p>
								</li>
							))}
						</ul>
					)}
				</section>
			)}

			{connections.data && (
				<section className="card" aria-labelledby="connections-title">
					<h2 id="connections-title">Connections</h2>
					{connected.length === 0 ? (
						<p className="empty">No connections yet. Ask someone below — there's no rush.</p>
					) : (
						<ul className="people">
							{connected.map((connection) => (
								<li key={connection.id} className="person">
									<p className="person__name">{connection.peer.display_name}</p>
									<Link className="button" to={`/orchard/${connection.peer.id}`}>
										Message<span className="visually-hidden"> {connection.peer.display_name}</span>
									</Link>
								</li>
							))}
						</ul>
					)}
					{outgoing.length > 0 && (
						<>
							<h3>Waiting for an answer</h3>
							<ul className="people">
								{outgoing.map((connection) => (
									<li key={connection.id} className="person">
										<p className="person__name">{connection.peer.display_name}</p>
										<button
											type="button"
											className="button button--quiet"
											disabled={busy(connection)}
											onClick={() => cancel(connection)}
										>
											Cancel request
											<span className="visually-hidden"> to {connection.peer.display_name}</span>
										</button>
									</li>
								))}
							</ul>
						</>
					)}
				</section>
			)}

			<ConnectForm onAsked={(connection) => setAnnouncement(askedText(connection))} />
		</>
	);
}

function askedText(connection: Connection): string {
	return connection.status === "accepted"
		? `${connection.peer.display_name} had asked you too: you are now connected.`
		: `Asked ${connection.peer.display_name} to connect.`;
}
