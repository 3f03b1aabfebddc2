/**
 * After deleting an account: calm words on what happened, and the way back in if wanted. Arriving from the
 * deletion (the router's state says so), it signs out here, once the page for signed-in people is gone.
 */
import { useEffect, useRef } from "react";
import { Link, useLocation } from "react-router";
import { useSession } from "../auth/session";
import { PageHeading } from "../pages/PageHeading";

export function GoodbyePage() {
	const location = useLocation();
	const session = useSession();
	const state = location.state as { deleted?: boolean; pendingCleanup?: boolean } | null;
	const { signOut } = session;
	const signedIn = session.state === "signed-in";
	const signingOut = useRef(false);
	useEffect(() => {
		if (!state?.deleted || !signedIn || signingOut.current) return;
		signingOut.current = true;
		void signOut();
	}, [state?.deleted, signedIn, signOut]);

	return (
		<>
			<PageHeading title="Your account is deleted">
				<p className="lede">
					Thank you for the time you spent growing here.{" "}
					{signedIn ? "Signing you out…" : "You are signed out."}
				</p>
			</PageHeading>
			{state?.pendingCleanup && (
				<p>Blanking your chat messages and withdrawing your event places is finishing in the background.</p>
			)}
			<p>If you ever want to come back, signing in again starts a new, empty account.</p>
			<p>
				<Link to="/">Go to the welcome page</Link>
			</p>
		</>
	);
}
