/**
 * The bell in the header: a link to my notifications whose name says how many are unread ("Notifications,
 * 3 unread"), kept current by my live stream (live.ts `useLiveNotifications`). A rise is announced politely;
 * a fall is not. `data-live` tells the stream's state (the browser journey waits for `open`). It also carries out a notification tap the service worker hands to an open window.
 */
import { useEffect, useRef, useState } from "react";
import { NavLink, useNavigate } from "react-router";
import { arrivalAnnouncement, badgeText, bellLabel } from "./display";
import { useLiveNotifications, useUnreadCount } from "./live";
import "./bell.css";

export function Bell() {
	const live = useLiveNotifications();
	const count = useUnreadCount().data?.count;
	const announcement = useArrivals(count);
	useOpenFromServiceWorker();
	const badge = badgeText(count);
	return (
		<>
			<NavLink to="/notifications" className="bell" data-testid="bell" data-live={live}>
				<svg
					className="bell__icon"
					viewBox="0 0 24 24"
					width="24"
					height="24"
					aria-hidden="true"
					focusable="false"
				>
					<path
						fill="currentColor"
						d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-5-1.6-1.6V11a5.4 5.4 0 0 0-4.1-5.3V5a1.3 1.3 0 0 0-2.6 0v.7A5.4 5.4 0 0 0 6.6 11v4.4L5 17v1.5h14V17Z"
					/>
				</svg>
				<span className="visually-hidden">{bellLabel(count)}</span>
				{badge && (
					<span className="bell__badge" aria-hidden="true">
						{badge}
					</span>
				)}
			</NavLink>
			<p className="visually-hidden" role="status" aria-live="polite">
				{announcement}
			</p>
		</>
	);
}

/** "1 new notification." when the count rises after the first reading; cleared after a while. */
function useArrivals(count: number | undefined): string {
	const previous = useRef<number | undefined>(undefined);
	const [announcement, setAnnouncement] = useState("");
	useEffect(() => {
		if (count === undefined) return;
		const said = arrivalAnnouncement(previous.current, count);
		previous.current = count;
		if (!said) return;
		setAnnouncement(said);
		const clear = setTimeout(() => setAnnouncement(""), 10_000);
		return () => clearTimeout(clear);
	}, [count]);
	return announcement;
}

/** The service worker's `flourish:open` (a tapped notification, this window focused): go to its page here. */
function useOpenFromServiceWorker() {
	const navigate = useNavigate();
	useEffect(() => {
		const container = typeof navigator === "undefined" ? undefined : navigator.serviceWorker;
		if (!container) return;
		const open = (event: MessageEvent) => {
			const data: unknown = event.data;
			if (typeof data !== "object" || data === null) return;
			const { type, path } = data as { type?: unknown; path?: unknown };
			if (
				type === "flourish:open" &&
				typeof path === "string" &&
				path.startsWith("/") &&
				!path.startsWith("//")
			) {
				void navigate(path);
			}
		};
		container.addEventListener("message", open);
		return () => container.removeEventListener("message", open);
	}, [navigate]);
}
