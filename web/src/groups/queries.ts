/**
 * @module groups/queries: Fellowship groups and events through TanStack Query. A join or an RSVP puts the API's
 * answer straight into the cached group or event; an event I am waiting for is revalidated when the window
 * regains focus, every 20 s while I wait, and at once when my live stream says I was promoted (groups/live).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ok, type Schemas } from "../api/client";
import { useSession } from "../auth/session";

export type Group = Schemas["Group"];
export type GroupEvent = Schemas["GroupEvent"];
export type RsvpAnswer = Schemas["RsvpAnswer"];
export type RsvpChoice = Schemas["SetRsvp"]["status"];

/** While I am on the waitlist, the event is read again this often (a move up the line is not streamed). */
export const WAITLIST_REFRESH_MS = 20_000;

export const groupsKey = ["groups"] as const;
export const groupKey = (groupId: string) => ["groups", "one", groupId] as const;
export const eventKey = (eventId: string) => ["events", eventId] as const;

export function useGroupSearch(q: string) {
	const { api } = useSession();
	const words = q.trim();
	return useQuery({
		queryKey: [...groupsKey, "search", words],
		queryFn: () =>
			ok(
				api.GET("/api/v1/fellowship/groups", {
					params: { query: words ? { q: words, limit: 20 } : { sort: "popular", limit: 20 } },
				}),
			),
		placeholderData: keepPreviousData,
	});
}

export function useMyGroups() {
	const { api } = useSession();
	return useQuery({
		queryKey: [...groupsKey, "mine"],
		queryFn: () =>
			ok(api.GET("/api/v1/fellowship/groups", { params: { query: { member: "me", limit: 50 } } })),
	});
}

export function useGroup(groupId: string) {
	const { api } = useSession();
	return useQuery({
		queryKey: groupKey(groupId),
		queryFn: () =>
			ok(api.GET("/api/v1/fellowship/groups/{group_id}", { params: { path: { group_id: groupId } } })),
	});
}

/** Upcoming events of a group; only asked once I may see them (a member, or a public group). */
export function useGroupEvents(groupId: string, enabled: boolean) {
	const { api } = useSession();
	return useQuery({
		queryKey: [...groupKey(groupId), "events"],
		queryFn: () =>
			ok(
				api.GET("/api/v1/fellowship/groups/{group_id}/events", {
					params: { path: { group_id: groupId }, query: { limit: 20 } },
				}),
			),
		enabled,
	});
}

export function useJoinGroup(groupId: string) {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: () =>
			ok(
				api.POST("/api/v1/fellowship/groups/{group_id}/members", { params: { path: { group_id: groupId } } }),
			),
		onSuccess: () => {
			void client.invalidateQueries({ queryKey: groupsKey });
		},
	});
}

export function useEvent(eventId: string) {
	const { api } = useSession();
	return useQuery({
		queryKey: eventKey(eventId),
		queryFn: () =>
			ok(api.GET("/api/v1/fellowship/events/{event_id}", { params: { path: { event_id: eventId } } })),
		refetchOnWindowFocus: "always",
		refetchInterval: (query) =>
			query.state.data?.my_rsvp?.status === "waitlisted" ? WAITLIST_REFRESH_MS : false,
	});
}

export function useSetRsvp(eventId: string) {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (status: RsvpChoice) =>
			ok(
				api.PUT("/api/v1/fellowship/events/{event_id}/rsvp", {
					params: { path: { event_id: eventId } },
					body: { status },
				}),
			),
		onSuccess: (answer) => {
			client.setQueryData<GroupEvent>(eventKey(eventId), (event) =>
				event
					? {
							...event,
							rsvp_counts: answer.counts,
							my_rsvp: { status: answer.status, waitlist_position: answer.waitlist_position },
						}
					: event,
			);
		},
	});
}
