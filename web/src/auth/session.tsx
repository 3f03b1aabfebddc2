/**
 * @module auth/session: the signed-in state as React sees it, and the API client bound to it. A 401 from the API
 * signs the person out here (their token is no longer accepted) and sends them to sign in again.
 */
import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";
import { type Api, createApi } from "../api/client";
import type { Authenticator } from "./types";

export type SessionState = "pending" | "signed-in" | "signed-out";

interface Session {
	state: SessionState;
	kind: Authenticator["kind"];
	api: Api;
	/** After a development sign-in stored its token. */
	markSignedIn(): void;
	signIn(returnTo: string): Promise<void>;
	signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** `start()` finishes a sign-in redirect, which must happen once per page (StrictMode runs effects twice). */
const started = new WeakMap<Authenticator, ReturnType<Authenticator["start"]>>();
function startOnce(authenticator: Authenticator) {
	let start = started.get(authenticator);
	if (!start) {
		// A failed redirect (an expired or replayed code) starts signed out; the sign-in page offers to retry.
		start = authenticator.start().catch(() => ({ signedIn: false }));
		started.set(authenticator, start);
	}
	return start;
}

export function SessionProvider({
	authenticator,
	onReturnTo,
	children,
}: {
	authenticator: Authenticator;
	/** Where a finished sign-in redirect wanted to go. */
	onReturnTo: (path: string) => void;
	children: ReactNode;
}) {
	const [state, setState] = useState<SessionState>("pending");
	useEffect(() => {
		let live = true;
		void startOnce(authenticator).then(({ signedIn, returnTo }) => {
			if (!live) return;
			setState(signedIn ? "signed-in" : "signed-out");
			if (returnTo) onReturnTo(returnTo);
		});
		return () => {
			live = false;
		};
	}, [authenticator, onReturnTo]);
	const queries = useQueryClient();
	// One client for the page's life: it carries the latest D1 bookmark from answer to request.
	const api = useMemo(
		() =>
			createApi({
				getToken: () => authenticator.getToken(),
				onUnauthorized: () => setState("signed-out"),
			}),
		[authenticator],
	);
	const session = useMemo<Session>(
		() => ({
			state,
			kind: authenticator.kind,
			api,
			markSignedIn: () => {
				// Nothing read for someone else stays on screen.
				queries.clear();
				setState("signed-in");
			},
			signIn: (returnTo) => authenticator.signIn(returnTo),
			signOut: async () => {
				await authenticator.signOut();
				queries.clear();
				setState("signed-out");
			},
		}),
		[authenticator, api, queries, state],
	);
	return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
	const session = useContext(SessionContext);
	if (!session) throw new Error("useSession outside <SessionProvider>");
	return session;
}
