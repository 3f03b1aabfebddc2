/** Pages for signed-in people: anyone else is sent to sign in, and comes back here after. */
import { Navigate, Outlet, useLocation } from "react-router";
import { useSession } from "../auth/session";

export function RequireSession() {
	const session = useSession();
	const location = useLocation();
	if (session.state === "pending") {
		return (
			<p className="pending" aria-busy="true">
				Opening…
			</p>
		);
	}
	if (session.state !== "signed-in") {
		const returnTo = `${location.pathname}${location.search}`;
		return <Navigate to={`/sign-in?returnTo=${encodeURIComponent(returnTo)}`} replace />;
	}
	return <Outlet />;
}
