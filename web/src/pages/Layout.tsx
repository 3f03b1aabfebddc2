/** The frame of every page: a skip link, the header with navigation and sign-out, the main landmark. */
import { NavLink, Outlet } from "react-router";
import { useSession } from "../auth/session";
import { isGuardian } from "../guardians/display";
import { useMe } from "../guardians/role";
import { Bell } from "../notifications/Bell";

export function Layout() {
	const session = useSession();
	// The Guardians link follows the role the API gives (GET /users/me), never the token's claims.
	const me = useMe();
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
									<NavLink to="/feed">Feed</NavLink>
								</li>
								<li>
									<NavLink to="/orchard">Orchard</NavLink>
								</li>
								<li>
									<NavLink to="/groups">Groups</NavLink>
								</li>
								<li>
									<NavLink to="/support">Support</NavLink>
								</li>
								{isGuardian(me.data) && (
									<li>
										<NavLink to="/guardians">Guardians</NavLink>
									</li>
								)}
								<li>
									<NavLink to="/settings">Settings</NavLink>
								</li>
							</ul>
						</nav>
					)}
					{session.state === "signed-in" && <Bell />}
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
