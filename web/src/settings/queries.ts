/**
 * @module settings/queries: my profile's settings, my notification preferences, the export and the deletion,
 * through TanStack Query. Each write puts the API's answer (the whole profile, every preference) in the cache.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ok, type Schemas } from "../api/client";
import { useSession } from "../auth/session";

export type MyProfile = Schemas["MyProfile"];
export type UpdateMyProfile = Schemas["UpdateMyProfile"];
export type NotificationPreferences = Schemas["NotificationPreferences"];
export type UpdateNotificationPreferences = Schemas["UpdateNotificationPreferences"];
export type AccountExport = Schemas["AccountExport"];

export const profileKey = ["me"] as const;
export const preferencesKey = ["notification-preferences"] as const;

export function useProfile() {
	const { api } = useSession();
	return useQuery({ queryKey: profileKey, queryFn: () => ok(api.GET("/api/v1/users/me")) });
}

export function useUpdateProfile() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (body: Pick<UpdateMyProfile, "timezone" | "day_start_hour" | "spiritual_opt_in">) =>
			ok(api.PATCH("/api/v1/users/me", { body })),
		onSuccess: (profile) => {
			client.setQueryData(profileKey, profile);
			// The garden's "today" follows the time zone and the day's start.
			void client.invalidateQueries({ queryKey: ["garden"] });
		},
	});
}

export function usePreferences() {
	const { api } = useSession();
	return useQuery({
		queryKey: preferencesKey,
		queryFn: () => ok(api.GET("/api/v1/notifications/preferences")),
	});
}

export function useUpdatePreferences() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (body: UpdateNotificationPreferences) =>
			ok(api.PATCH("/api/v1/notifications/preferences", { body })),
		onSuccess: (preferences) => client.setQueryData(preferencesKey, preferences),
	});
}

/** The export is synchronous: one answer holds everything (each collection capped, `truncated` says which). */
export function useExport() {
	const { api } = useSession();
	return useMutation({ mutationFn: () => ok(api.GET("/api/v1/users/me/export")) });
}

/** Deletes my account: 204 when everything is done, 202 when some clean-up continues in the background. */
export function useDeleteAccount() {
	const { api } = useSession();
	return useMutation({
		mutationFn: async () => {
			const { error, response } = await api.DELETE("/api/v1/users/me");
			if (!response.ok) await ok(Promise.resolve({ error, response }));
			return response.status;
		},
	});
}
