/** `/`: a signed-in person goes straight to their garden; anyone else reads what Flourish is. */
import { Link, Navigate } from "react-router";
import { useSession } from "../auth/session";
import { PageHeading } from "./PageHeading";

export function Home() {
	const session = useSession();
	if (session.state === "signed-in") return <Navigate to="/garden" replace />;
	if (session.state === "pending") return null;
	return (
		<>
			<PageHeading title="Welcome to Flourish">
				<p className="lede">A calm place to grow: small habits, kind people, help when you need it.</p>
			</PageHeading>
			<p>
				<Link className="button button--primary" to="/sign-in">
					Sign in
				</Link>
			</p>
		</>
	);
}
