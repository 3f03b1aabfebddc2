/** Shared setup for the Team Up tests: people who may create projects, projects, joins and invitations. */
import { call, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

export const PROJECTS = "/api/v1/teamup/projects";

export type Project = {
	id: string;
	title: string;
	status: string;
	visibility: string;
	max_members: number | null;
	member_count: number;
	archived_at: string | null;
	my_membership: { role: string; status: string } | null;
	members?: Array<{ user: { id: string }; role: string; status: string }> | null;
	members_truncated?: boolean;
};

export type ProjectMembership = { project_id: string; user_id: string; role: string; status: string };

/** Someone who may create projects (growing). */
export async function grower(label = "grower"): Promise<TestUser> {
	const user = await signUp(label);
	await setUserColumns(user.id, { trust_level: "growing" });
	return user;
}

export async function createProject(owner: TestUser, body: Record<string, unknown> = {}): Promise<Project> {
	return expectStatus<Project>(
		await call("POST", PROJECTS, {
			token: owner.token,
			body: { title: "Community garden", project_type: "community_service", ...body },
		}),
		201,
	);
}

export const joinProject = (user: TestUser, projectId: string) =>
	call("POST", `${PROJECTS}/${projectId}/members`, { token: user.token });

export const inviteToProject = (by: TestUser, projectId: string, userId: string) =>
	call("POST", `${PROJECTS}/${projectId}/invitations`, { token: by.token, body: { user_id: userId } });

export const patchProjectMember = (by: TestUser, projectId: string, userId: string, body: unknown) =>
	call("PATCH", `${PROJECTS}/${projectId}/members/${userId}`, { token: by.token, body });

export const removeProjectMember = (by: TestUser, projectId: string, userId: string) =>
	call("DELETE", `${PROJECTS}/${projectId}/members/${userId}`, { token: by.token });
