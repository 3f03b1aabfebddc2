/**
 * DEVELOPMENT ONLY: sign in as a demo person with a token from the local development issuer. Reached only
 * behind `__DEV_SIGN_IN__` (pages/SignIn); not in a production build.
 */
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { DEMO_PEOPLE, devSignIn } from "../auth/dev";
import { useSession } from "../auth/session";
import { PageHeading } from "../pages/PageHeading";

export default function DevSignIn({ returnTo }: { returnTo: string }) {
	const session = useSession();
	const navigate = useNavigate();
	const [sub, setSub] = useState<string>(DEMO_PEOPLE[0].sub);
	const [error, setError] = useState<string | null>(null);
	const [pending, setPending] = useState(false);

	async function submit(event: FormEvent) {
		event.preventDefault();
		setPending(true);
		setError(null);
		try {
			await devSignIn(sub.trim());
			session.markSignedIn();
			navigate(returnTo, { replace: true });
		} catch (err) {
			setError(err instanceof Error ? err.message : String(err));
		} finally {
			setPending(false);
		}
	}

	return (
		<>
			<PageHeading title="Development sign-in">
				<p className="lede">
					Local development only: a token from the development issuer that <code>npm run dev</code> runs.
					Production builds sign in with Auth0 and have no such page.
				</p>
			</PageHeading>
			<form className="card" onSubmit={submit}>
				<fieldset>
					<legend>Sign in as</legend>
					{DEMO_PEOPLE.map((person) => (
						<label key={person.sub} className="choice">
							<input
								type="radio"
								name="sub"
								value={person.sub}
								checked={sub === person.sub}
								onChange={() => setSub(person.sub)}
							/>
							{person.name}, {person.about} <code>{person.sub}</code>
						</label>
					))}
				</fieldset>
				<div className="field">
					<label htmlFor="dev-sub">Or any subject (a new person is created on first use)</label>
					<input
						id="dev-sub"
						value={sub}
						onChange={(event) => setSub(event.target.value)}
						autoComplete="off"
					/>
				</div>
				{error && (
					<p className="form-error" role="alert">
						{error}
					</p>
				)}
				<button type="submit" className="button button--primary" disabled={pending} aria-busy={pending}>
					{pending ? "Signing in…" : "Sign in"}
				</button>
			</form>
		</>
	);
}
