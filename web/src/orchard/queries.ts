/**
 * @module orchard/queries: the Orchard through TanStack Query — my connections and requests, my conversations
 * with their unread counts (refreshed every 20 s and when the window regains focus), a person's profile, and
 * the writes (ask to connect, accept, decline, cancel; send, edit, mark read).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { ok, type Schemas } from "../api/client";
import { useSession } from "../auth/session";

export type Connection = Schemas["Connection"];
export type Conversation = Schemas["Conversation"];
export type CreateConnection = Schemas["CreateConnection"];
export type MessagePage = Schemas["MessagePage"];

export const orchardKey = ["orchard"] as const;
const connectionsKey = [...orchardKey, "connections"] as const;
const conversationsKey = [...orchardKey, "conversations"] as const;

export function useMe() {
	const { api } = useSession();
	return useQuery({
		queryKey: ["me"],
		queryFn: () => ok(api.GET("/api/v1/users/me")),
		staleTime: 5 * 60_000,
	});
}

export function useConnections() {
	const { api } = useSession();
	return useQuery({
		queryKey: connectionsKey,
		queryFn: () => ok(api.GET("/api/v1/orchard/connections", { params: { query: { limit: 100 } } })),
		refetchInterval: 30_000,
	});
}

export function useConversations() {
	const { api } = useSession();
	return useQuery({
		queryKey: conversationsKey,
		queryFn: () => ok(api.GET("/api/v1/orchard/conversations", { params: { query: { limit: 50 } } })),
		refetchInterval: 20_000,
	});
}

export function useProfile(userId: string) {
	const { api } = useSession();
	return useQuery({
		queryKey: ["profile", userId],
		queryFn: () => ok(api.GET("/api/v1/users/{user_id}", { params: { path: { user_id: userId } } })),
	});
}

export function useRequestConnection() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (body: CreateConnection) => ok(api.POST("/api/v1/orchard/connections", { body })),
		onSuccess: () => void client.invalidateQueries({ queryKey: orchardKey }),
	});
}

export function useAnswerConnection() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: ({ connection, status }: { connection: Connection; status: "accepted" | "declined" }) =>
			ok(
				api.PATCH("/api/v1/orchard/connections/{connection_id}", {
					params: { path: { connection_id: connection.id } },
					body: { status },
				}),
			),
		onSuccess: () => void client.invalidateQueries({ queryKey: orchardKey }),
	});
}

export function useRemoveConnection() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (connection: Connection) =>
			ok(
				api.DELETE("/api/v1/orchard/connections/{connection_id}", {
					params: { path: { connection_id: connection.id } },
				}),
			),
		onSuccess: () => void client.invalidateQueries({ queryKey: orchardKey }),
	});
}

/** The newest page of a conversation (newest first from the API). */
export function useHistory(peerId: string) {
	const { api } = useSession();
	return useQuery({
		queryKey: [...orchardKey, "history", peerId],
		queryFn: () =>
			ok(
				api.GET("/api/v1/orchard/conversations/{user_id}/messages", {
					params: { path: { user_id: peerId }, query: { limit: 50 } },
				}),
			),
		// The live socket keeps the page current; refetching would only fight it.
		staleTime: Number.POSITIVE_INFINITY,
		refetchOnWindowFocus: false,
		gcTime: 0,
	});
}

/** My unread count of a conversation changed: the list should say so when it is next shown. */
export function useInvalidateConversations() {
	const client = useQueryClient();
	return useCallback(() => void client.invalidateQueries({ queryKey: conversationsKey }), [client]);
}
