/** The frame of every page: a skip link, the header with navigation and sign-out, the main landmark. */
import { NavLink, Outlet } from "react-router";
import { useSession } from "../auth/session";

export function Layout() {
	const session = useSession();
	return (
		<>
			<a className="skip-link" href="#main">
				Skip to content
			</a>
			<header className="site-header">
				<div className="site-header__inner">
					<NavLink to="/" className="brand">
						<span aria-hidden="true">❀</span> Flourish
					</NavLink>
					{session.state === "signed-in" && (
						<nav aria-label="Main">
							<ul className="nav">
								<li>
									<NavLink to="/garden">My Garden</NavLink>
								</li>
								<li>
									<NavLink to="/groups">Groups</NavLink>
								</li>
								<li>
									<NavLink to="/settings">Settings</NavLink>
								</li>
							</ul>
						</nav>
					)}
					{session.state === "signed-in" && (
						<button type="button" className="button button--quiet" onClick={() => void session.signOut()}>
							Sign out
						</button>
					)}
				</div>
			</header>
			<main id="main" className="main">
				<Outlet />
			</main>
		</>
	);
}
