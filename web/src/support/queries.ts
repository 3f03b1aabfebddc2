/**
 * @module support/queries: Anonymous Support through TanStack Query.
 *
 * Which calls carry the person's sign-in follows the API's own security (client/openapi.json):
 * - asking (`createSupportRequest`) requires a signed-in caller: the account counts the daily limit under a
 *   keyed hash; nothing stored links the request to it;
 * - everything the token alone proves (reading my own request with its responses, `getSupportRequest` with
 *   `X-Support-Token`; `setSupportRequestStatus`, `markResponseHelpful`, `deleteSupportRequest` by its asker)
 *   is anonymous in the API (`security: [{}, bearer]`), so those calls go through `anonymousApi`, a client that
 *   never has a token to send: only `X-Support-Token` travels, and no request carries both the person and
 *   their anonymous words. Reading without the token (what anyone may see) is signed in.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createApi, ok } from "../api/client";
import { useSession } from "../auth/session";
import type { CreateSupportRequest, SupportRequestWithResponses } from "./display";

/** A client with no sign-in at all: no Authorization header can reach these calls. */
let anonymous: ReturnType<typeof createApi> | undefined;
export function anonymousApi() {
	anonymous ??= createApi({ getToken: async () => null });
	return anonymous;
}

const tokenHeaders = (token: string) => ({ "x-support-token": token });
export const requestKey = (requestId: string) => ["support", "request", requestId] as const;

export function useAskForSupport() {
	const { api } = useSession();
	return useMutation({
		mutationFn: (body: CreateSupportRequest) => ok(api.POST("/api/v1/support/requests", { body })),
	});
}

/** My request and its responses, read with its token alone (without one, signed in: what anyone may see). */
export function useSupportRequest(requestId: string, token: string | undefined) {
	const { api } = useSession();
	return useQuery({
		queryKey: [...requestKey(requestId), token ? "mine" : "public"],
		queryFn: () =>
			ok(
				(token ? anonymousApi() : api).GET("/api/v1/support/requests/{request_id}", {
					params: {
						path: { request_id: requestId },
						...(token ? { header: tokenHeaders(token) } : {}),
					},
				}),
			),
	});
}

export function useMarkHelpful(requestId: string, token: string) {
	const client = useQueryClient();
	return useMutation({
		mutationFn: (responseId: string) =>
			ok(
				anonymousApi().POST("/api/v1/support/responses/{response_id}/helpful", {
					params: { path: { response_id: responseId }, header: tokenHeaders(token) },
				}),
			),
		onSuccess: (response) => {
			client.setQueryData<SupportRequestWithResponses>([...requestKey(requestId), "mine"], (request) =>
				request
					? {
							...request,
							responses: request.responses.map((each) => (each.id === response.id ? response : each)),
						}
					: request,
			);
		},
	});
}

export function useSetStatus(requestId: string, token: string) {
	const client = useQueryClient();
	return useMutation({
		mutationFn: (status: "resolved" | "closed") =>
			ok(
				anonymousApi().POST("/api/v1/support/requests/{request_id}/status", {
					params: { path: { request_id: requestId }, header: tokenHeaders(token) },
					body: { status },
				}),
			),
		onSuccess: (updated) => {
			client.setQueryData<SupportRequestWithResponses>([...requestKey(requestId), "mine"], (request) =>
				request ? { ...request, ...updated, responses: request.responses } : request,
			);
		},
	});
}
