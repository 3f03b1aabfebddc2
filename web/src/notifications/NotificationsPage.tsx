/**
 * Notifications: everything Flourish told me, newest change first, with what is unread marked in words;
 * mark one or all read; older ones on request. New ones arrive live (the bell's stream reloads the list). Below,
 * this device's Web Push setting (PushControl).
 */
import { useState } from "react";
import { errorSentence } from "../api/client";
import { PageHeading } from "../pages/PageHeading";
import { unreadSummary, whenText } from "./display";
import { useUnreadCount } from "./live";
import { PushControl } from "./PushControl";
import { type Notification, useMarkRead, useNotifications } from "./queries";
import "./notifications.css";
import { LoadError } from "../pages/LoadError";

export function NotificationsPage() {
	const list = useNotifications();
	const count = useUnreadCount().data?.count ?? list.data?.pages[0]?.unread_count;
	const markRead = useMarkRead();
	const [announcement, setAnnouncement] = useState("");
	const [actionError, setActionError] = useState<string | null>(null);
	const notifications = list.data?.pages.flatMap((page) => page.data) ?? [];

	const mark = (which: { ids: string[] } | { all: true }, done: string, focusId?: string) => {
		setActionError(null);
		markRead.mutate(which, {
			onSuccess: () => {
				setAnnouncement(done);
				// The button pressed is gone: focus stays in place, on its notification (or the page's heading).
				const next = focusId ? document.getElementById(itemId(focusId)) : document.querySelector("main h1");
				if (next instanceof HTMLElement) next.focus();
			},
			onError: (error) => setActionError(errorSentence(error)),
		});
	};
	const noneUnread = (count ?? 0) === 0;

	return (
		<>
			<PageHeading title="Notifications">
				{count !== undefined && <p className="lede">{unreadSummary(count)}</p>}
			</PageHeading>
			<p className="visually-hidden" role="status" aria-live="polite">
				{announcement}
			</p>
			{actionError && (
				<p className="banner banner--error" role="alert">
					{actionError}
				</p>
			)}
			{list.isPending && <p aria-busy="true">Gathering your notifications…</p>}
			{list.isError && <LoadError error={list.error} onRetry={() => void list.refetch()} />}
			{list.data && (
				<section aria-labelledby="notifications-title">
					<div className="notifications__bar">
						<h2 id="notifications-title" className="visually-hidden">
							All notifications
						</h2>
						{!noneUnread && (
							<button
								type="button"
								className="button"
								aria-disabled={markRead.isPending}
								onClick={() => {
									if (!markRead.isPending) mark({ all: true }, "All notifications marked read.");
								}}
							>
								Mark all read
							</button>
						)}
					</div>
					{notifications.length === 0 ? (
						<p className="empty">
							Nothing here yet. When someone replies, reacts or asks to connect, you'll see it here.
						</p>
					) : (
						<ul className="notifications">
							{notifications.map((notification) => (
								<NotificationItem
									key={notification.id}
									notification={notification}
									busy={markRead.isPending}
									onRead={() => mark({ ids: [notification.id] }, "Marked read.", notification.id)}
								/>
							))}
						</ul>
					)}
					{list.hasNextPage && (
						<button
							type="button"
							className="button"
							aria-disabled={list.isFetchingNextPage}
							onClick={() => {
								if (!list.isFetchingNextPage) void list.fetchNextPage();
							}}
						>
							{list.isFetchingNextPage ? "Loading older ones…" : "Show older notifications"}
						</button>
					)}
				</section>
			)}
			<PushControl />
		</>
	);
}

const itemId = (id: string) => `notification-${id}`;

function NotificationItem({
	notification,
	busy,
	onRead,
}: {
	notification: Notification;
	busy: boolean;
	onRead: () => void;
}) {
	const unread = notification.read_at === null;
	return (
		<li
			id={itemId(notification.id)}
			tabIndex={-1}
			className={unread ? "notification notification--unread" : "notification"}
		>
			<p className="notification__text">
				{unread && <span className="notification__new">New</span>}
				{notification.text}
			</p>
			<p className="notification__when">
				<time dateTime={notification.updated_at}>{whenText(notification.updated_at)}</time>
			</p>
			{unread && (
				<button
					type="button"
					className="button button--quiet notification__read"
					aria-label={`Mark read: ${notification.text}`}
					aria-disabled={busy}
					onClick={() => {
						if (!busy) onRead();
					}}
				>
					Mark read
				</button>
			)}
		</li>
	);
}
