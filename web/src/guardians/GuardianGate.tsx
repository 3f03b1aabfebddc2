/**
 * The guardians' pages open only for someone the API calls a guardian (`GET /users/me`); anyone else reads a
 * calm "not for you" page. This only spares people a page they cannot use: every guardian route of the API
 * answers 403 to them, and a 403 met here shows the same page.
 */
import type { ReactNode } from "react";
import { Link, NavLink, useLocation } from "react-router";
import { ApiError } from "../api/client";
import { PageHeading } from "../pages/PageHeading";
import { isGuardian } from "./display";
import { useMe } from "./role";
import "./guardians.css";
import { LoadError } from "../pages/LoadError";

export function GuardianGate({ children }: { children: ReactNode }) {
	const me = useMe();
	const { pathname } = useLocation();
	if (me.isPending) return <p aria-busy="true">Opening…</p>;
	if (me.isError) {
		return <LoadError error={me.error} onRetry={() => void me.refetch()} />;
	}
	if (!isGuardian(me.data)) return <NotForYou />;
	return (
		<>
			<nav aria-label="Guardians" className="guardian-tabs">
				{/* An item of the queue is still in the queue's section (`aria-current="true"`, not "page"). */}
				<Link
					to="/guardians"
					aria-current={
						pathname === "/guardians" ? "page" : pathname.startsWith("/guardians/queue/") ? "true" : undefined
					}
				>
					Review queue
				</Link>
				<NavLink to="/guardians/appeals">Appeals</NavLink>
			</nav>
			{children}
		</>
	);
}

export function NotForYou() {
	return (
		<>
			<PageHeading title="This page is for guardians">
				<p className="lede">
					Guardians are the members who look after the community's safety. This part of Flourish is only open
					to them.
				</p>
			</PageHeading>
			<p>
				If something worries you, you can report it from where you saw it, or{" "}
				<Link to="/support">ask for support anonymously</Link>.
			</p>
		</>
	);
}

/** A refusal of the API (403) on a guardian page reads as the same calm page. */
export const isRefusal = (error: unknown) => error instanceof ApiError && error.status === 403;
