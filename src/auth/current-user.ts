/** @module current-user: the signed-in caller as resolved from D1 (never from token claims). */
export type Role = "user" | "guide" | "guardian";
export type TrustLevel = "new_sprout" | "growing" | "good_soil" | "flourishing";

export interface CurrentUser {
	id: string;
	role: Role;
	trustLevel: TrustLevel;
	suspendedUntil: string | null;
	timezone: string;
	dayStartHour: number;
	spiritualOptIn: boolean;
}
