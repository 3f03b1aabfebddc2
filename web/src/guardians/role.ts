/**
 * @module guardians/role: whether the signed-in person is a guardian, as the API says (`GET /users/me`), never
 * as the token claims. Used by the frame (the nav link) and the guardians' pages; small, so it rides in the
 * frame's bundle.
 */
import { useQuery } from "@tanstack/react-query";
import { ok } from "../api/client";
import { useSession } from "../auth/session";

export const meKey = ["me"] as const;

export function useMe() {
	const { api, state } = useSession();
	return useQuery({
		queryKey: meKey,
		queryFn: () => ok(api.GET("/api/v1/users/me")),
		enabled: state === "signed-in",
		staleTime: 5 * 60_000,
	});
}
