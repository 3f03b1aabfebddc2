/**
 * `/sign-in`. Production: a button to Auth0's Universal Login (which also lands back here to finish). Development
 * builds show the development sign-in page instead, loaded only behind `__DEV_SIGN_IN__`: in a production build
 * that branch and its chunk do not exist.
 */
import { lazy, Suspense, useState } from "react";
import { Navigate, useSearchParams } from "react-router";
import { safeReturnTo } from "../auth";
import { useSession } from "../auth/session";
import { PageHeading } from "./PageHeading";

const DevSignIn = __DEV_SIGN_IN__ ? lazy(() => import("../dev/DevSignIn")) : null;

export function SignIn() {
	const session = useSession();
	const [params] = useSearchParams();
	const returnTo = safeReturnTo(params.get("returnTo"));
	const [error, setError] = useState<string | null>(null);

	if (session.state === "signed-in") return <Navigate to={returnTo} replace />;
	// Coming back from Auth0 (`?code=…`): the session settles, then this page moves on.
	if (session.state === "pending") return <p aria-busy="true">Signing you in…</p>;
	if (__DEV_SIGN_IN__ && DevSignIn) {
		return (
			<Suspense fallback={<p>Loading…</p>}>
				<DevSignIn returnTo={returnTo} />
			</Suspense>
		);
	}
	return (
		<>
			<PageHeading title="Sign in">
				<p className="lede">Sign in to tend your garden.</p>
			</PageHeading>
			{session.kind === "unconfigured" ? (
				<p className="banner" role="status">
					Sign-in is not set up for this build of Flourish yet.
				</p>
			) : (
				<button
					type="button"
					className="button button--primary"
					onClick={() =>
						session
							.signIn(returnTo)
							.catch(() => setError("We couldn't open the sign-in page. Please try again."))
					}
				>
					Continue to sign in
				</button>
			)}
			{error && (
				<p className="form-error" role="alert">
					{error}
				</p>
			)}
		</>
	);
}
