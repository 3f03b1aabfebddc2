/**
 * @module garden: My Garden: each person's private habits, their logs, streaks and strength.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export {
	deliverFiredReminders,
	type FiredReminder,
	type ReminderTick,
	rescheduleRemindersStatements,
	runHabitReminders,
} from "./reminders";
export { gardenRoutes } from "./routes";
export { getHabit } from "./service";
