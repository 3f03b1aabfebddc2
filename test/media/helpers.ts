/** Uploading and fetching media the way a client does: the raw file as the body, its type in Content-Type. */
import { exports } from "cloudflare:workers";
import { ORIGIN, setUserColumns, signUp, type TestUser } from "../support/api";

export interface Upload {
	id: string;
	content_type: string;
	bytes: number;
	width: number | null;
	height: number | null;
	duration_s: number | null;
	alt: string | null;
	url: string;
	created_at: string;
}

export function uploadRequest(
	user: TestUser | undefined,
	body: Uint8Array | ReadableStream | null,
	type: string | undefined,
	options: { query?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
	const headers = new Headers(options.headers);
	if (user) headers.set("Authorization", `Bearer ${user.token}`);
	if (type !== undefined) headers.set("Content-Type", type);
	return exports.default.fetch(
		new Request(`${ORIGIN}/api/v1/media${options.query ? `?${options.query}` : ""}`, {
			method: "POST",
			headers,
			body,
			...(body instanceof ReadableStream ? { duplex: "half" } : {}),
		} as RequestInit),
	);
}

export async function upload(
	user: TestUser,
	body: Uint8Array,
	type: string,
	query?: string,
): Promise<Upload> {
	const response = await uploadRequest(user, body, type, query ? { query } : {});
	const text = await response.text();
	if (response.status !== 201) throw new Error(`upload: expected 201, got ${response.status}: ${text}`);
	return JSON.parse(text) as Upload;
}

export function fetchMedia(
	user: TestUser | undefined,
	id: string,
	headers: Record<string, string> = {},
	method = "GET",
): Promise<Response> {
	const all = new Headers(headers);
	if (user) all.set("Authorization", `Bearer ${user.token}`);
	return exports.default.fetch(new Request(`${ORIGIN}/api/v1/media/${id}`, { method, headers: all }));
}

export async function bytesOf(response: Response): Promise<Uint8Array> {
	return new Uint8Array(await response.arrayBuffer());
}

/** A new person at a trust level. */
export async function member(
	trust: "new_sprout" | "growing" | "good_soil" | "flourishing" = "growing",
	role?: "guardian",
): Promise<TestUser> {
	const user = await signUp(`media-${trust}`);
	if (trust !== "new_sprout" || role) {
		await setUserColumns(user.id, { trust_level: trust, ...(role ? { role } : {}) });
	}
	return user;
}
