/**
 * @module guardians/queries: the review queue, decisions, appeals (the guardian's side) and a person's own
 * penalties and appeals, through TanStack Query. Who may see the guardians' pages comes from `GET /users/me`
 * (role.ts); the API's 403 on every guardian route is the real boundary.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ok } from "../api/client";
import { useSession } from "../auth/session";
import type { QueueDecision } from "./display";

const queueKey = ["guardians", "queue"] as const;
const appealsKey = ["guardians", "appeals"] as const;
const penaltiesKey = ["penalties"] as const;

export function useQueue() {
	const { api } = useSession();
	return useQuery({
		queryKey: queueKey,
		queryFn: () =>
			ok(api.GET("/api/v1/guardians/queue", { params: { query: { status: "open", limit: 50 } } })),
	});
}

export function useQueueItem(itemId: string) {
	const { api } = useSession();
	return useQuery({
		queryKey: [...queueKey, itemId],
		queryFn: () =>
			ok(api.GET("/api/v1/guardians/queue/{item_id}", { params: { path: { item_id: itemId } } })),
	});
}

export function useDecide(itemId: string) {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (body: QueueDecision) =>
			ok(
				api.POST("/api/v1/guardians/queue/{item_id}/decision", {
					params: { path: { item_id: itemId } },
					body,
				}),
			),
		onSuccess: () => void client.invalidateQueries({ queryKey: queueKey }),
	});
}

export function useAppealsToReview() {
	const { api } = useSession();
	return useQuery({
		queryKey: appealsKey,
		queryFn: () =>
			ok(api.GET("/api/v1/guardians/appeals", { params: { query: { status: "pending", limit: 50 } } })),
	});
}

export function useDecideAppeal() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: ({
			appealId,
			...body
		}: {
			appealId: string;
			decision: "uphold" | "overturn";
			notes?: string;
		}) =>
			ok(
				api.PATCH("/api/v1/guardians/appeals/{appeal_id}", {
					params: { path: { appeal_id: appealId } },
					body,
				}),
			),
		onSuccess: () => void client.invalidateQueries({ queryKey: appealsKey }),
	});
}

export function useMyPenalties() {
	const { api } = useSession();
	return useQuery({
		queryKey: penaltiesKey,
		queryFn: () => ok(api.GET("/api/v1/penalties", { params: { query: { limit: 50 } } })),
	});
}

export function useAppeal() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (body: { penalty_id: string; body: string }) => ok(api.POST("/api/v1/appeals", { body })),
		onSuccess: () => void client.invalidateQueries({ queryKey: penaltiesKey }),
	});
}
