import { Link } from "react-router";
import { PageHeading } from "./PageHeading";

export function NotFound() {
	return (
		<>
			<PageHeading title="Nothing here">
				<p className="lede">This page doesn't exist. It may have moved.</p>
			</PageHeading>
			<p>
				<Link to="/">Go to the start</Link>
			</p>
		</>
	);
}
