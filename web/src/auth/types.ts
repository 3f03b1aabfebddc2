/** @module auth/types: what the app needs of whoever signs people in (Auth0 in production). */

export type AuthKind = "auth0" | "development" | "unconfigured";

export interface Authenticator {
	readonly kind: AuthKind;
	/**
	 * Settles the session once, at start: finishes a sign-in redirect if the URL carries one. Answers whether
	 * someone is signed in, and where a finished sign-in wanted to go.
	 */
	start(): Promise<{ signedIn: boolean; returnTo?: string }>;
	/** A current access token for the API, or null when nobody is signed in. */
	getToken(): Promise<string | null>;
	/** Production: leaves for Auth0's Universal Login. `returnTo` is a path of this app. */
	signIn(returnTo: string): Promise<void>;
	signOut(): Promise<void>;
}

/** Only paths of this app, never another origin: the `returnTo` of a sign-in comes from a URL. */
export function safeReturnTo(value: string | null | undefined): string {
	if (!value?.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
	return value;
}
