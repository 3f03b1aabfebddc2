/**
 * @module garden/queries: My Garden through TanStack Query. The garden is one cached read (`["garden"]`),
 * revalidated when the window regains focus; each write puts the API's answer — the habit with its fresh
 * statistics — straight into that cache, so a tap shows its streak without a second round trip.
 */
import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { type Api, type CreateHabit, type Garden, type Habit, ok } from "../api/client";
import { useSession } from "../auth/session";

export const gardenKey = ["garden"] as const;

function replaceHabit(client: QueryClient, habit: Habit) {
	client.setQueryData<Garden>(gardenKey, (garden) =>
		garden
			? { ...garden, habits: garden.habits.map((each) => (each.id === habit.id ? habit : each)) }
			: garden,
	);
}

export function useGarden() {
	const { api } = useSession();
	return useQuery({ queryKey: gardenKey, queryFn: () => ok(api.GET("/api/v1/garden")) });
}

export function useCreateHabit() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (body: CreateHabit) => ok(api.POST("/api/v1/garden/habits", { body })),
		onSuccess: (habit) => {
			client.setQueryData<Garden>(gardenKey, (garden) =>
				garden ? { ...garden, habits: [...garden.habits, habit] } : garden,
			);
			void client.invalidateQueries({ queryKey: gardenKey });
		},
	});
}

/** The id of today's newest log of a habit: the one undo removes. */
async function latestLogToday(api: Api, habit: Habit): Promise<string | undefined> {
	const date = habit.stats.today.date;
	const page = await ok(
		api.GET("/api/v1/garden/habits/{habit_id}/logs", {
			params: { path: { habit_id: habit.id }, query: { from: date, to: date, limit: 1 } },
		}),
	);
	return page.data[0]?.id;
}

/** Log today (one tap) and undo it. Undo removes the log this page made, else today's newest. */
export function useLogToday() {
	const { api } = useSession();
	const client = useQueryClient();
	const madeHere = useRef(new Map<string, string[]>());

	const log = useMutation({
		mutationFn: (habit: Habit) =>
			ok(
				api.POST("/api/v1/garden/habits/{habit_id}/logs", {
					params: { path: { habit_id: habit.id } },
					body: {},
				}),
			),
		onSuccess: ({ log: made, habit }) => {
			madeHere.current.set(habit.id, [...(madeHere.current.get(habit.id) ?? []), made.id]);
			replaceHabit(client, habit);
		},
	});

	const undo = useMutation({
		mutationFn: async (habit: Habit) => {
			const logId = madeHere.current.get(habit.id)?.at(-1) ?? (await latestLogToday(api, habit));
			if (logId) {
				await ok(
					api.DELETE("/api/v1/garden/habits/{habit_id}/logs/{log_id}", {
						params: { path: { habit_id: habit.id, log_id: logId } },
					}),
				);
			}
			madeHere.current.set(
				habit.id,
				(madeHere.current.get(habit.id) ?? []).filter((id) => id !== logId),
			);
			return ok(api.GET("/api/v1/garden/habits/{habit_id}", { params: { path: { habit_id: habit.id } } }));
		},
		onSuccess: (habit) => replaceHabit(client, habit),
	});

	return { log, undo };
}
